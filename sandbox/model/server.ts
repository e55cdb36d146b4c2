import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleChatCompletions } from "./chat-completions";
import { handleEmbeddings } from "./embeddings";
import { HttpError, readJson, sendJson } from "./http";
import { findModel, listModels } from "./models";
import { STREAM_CUTS_PATH, StreamCuts } from "./stream-cuts";

export interface ModelServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Pause between streamed chunks, so streaming and a Stop button are observable. */
  chunkDelayMs?: number;
  /** Receives one line per request; never message contents. */
  log?: (line: string) => void;
}

export interface ModelServer {
  /** For `createOpenAI({ baseURL, apiKey })`, e.g. "http://127.0.0.1:4002/v1". */
  baseURL: string;
  close(): Promise<void>;
}

function authorize(req: IncomingMessage): void {
  // Like OpenAI, a key must be sent; unlike OpenAI, any non-empty key is a valid one.
  if (!/^Bearer\s+\S/i.test(req.headers.authorization ?? "")) {
    throw new HttpError(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). The sandbox model accepts any non-empty key.",
    );
  }
}

/** Serves the request and resolves to the log line's description of it. */
async function route(req: IncomingMessage, res: ServerResponse, path: string, chunkDelayMs: number, cuts: StreamCuts): Promise<string> {
  // Like the other stand-ins' fault endpoints, open to anyone who can reach the loopback address.
  if (path === STREAM_CUTS_PATH) return cuts.handle(req, res);
  authorize(req);
  if (req.method === "GET" && path === "/v1/models") {
    sendJson(res, 200, listModels());
    return "";
  }
  const modelId = req.method === "GET" ? /^\/v1\/models\/([^/]+)$/.exec(path)?.[1] : undefined;
  if (modelId !== undefined) {
    const model = findModel(decodeURIComponent(modelId));
    if (!model) throw new HttpError(404, `The model '${decodeURIComponent(modelId)}' does not exist`, undefined, "model", "model_not_found");
    sendJson(res, 200, model);
    return "";
  }
  if (req.method === "POST" && path === "/v1/chat/completions") return handleChatCompletions(await readJson(req), res, chunkDelayMs, () => cuts.take());
  if (req.method === "POST" && path === "/v1/embeddings") return handleEmbeddings(await readJson(req), res);
  throw new HttpError(404, `Invalid URL (${req.method} ${path})`);
}

function baseUrlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * An offline, deterministic stand-in for the OpenAI API (Chat Completions, embeddings, model list)
 * that the app reaches through `@ai-sdk/openai` exactly as it would reach OpenAI.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  const { host = "127.0.0.1", chunkDelayMs = 15, log = () => {} } = options;
  const cuts = new StreamCuts();

  const server = createServer((req, res) => {
    const started = performance.now();
    const path = new URL(req.url ?? "/", "http://sandbox").pathname;
    const report = (detail: string) => {
      const ms = Math.round(performance.now() - started);
      log(`[sandbox:model] ${req.method} ${path} ${res.statusCode}${detail ? ` ${detail}` : ""} (${ms} ms)`);
    };
    route(req, res, path, chunkDelayMs, cuts).then(report, (error: unknown) => {
      const failure = error instanceof HttpError ? error : new HttpError(500, "The sandbox model failed to handle the request.", "server_error");
      if (res.headersSent) res.destroy();
      else sendJson(res, failure.status, failure.toBody());
      report(error instanceof HttpError ? `error=${failure.code ?? failure.type}` : `error=${String(error)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://${baseUrlHost(host)}:${port}/v1`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Streams in progress and idle keep-alive sockets would otherwise hold `close` open.
        server.closeAllConnections();
      }),
  };
}
