import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as the app sent it through a recording proxy. */
export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. "/v1/chat/completions". */
  path: string;
  authorization?: string;
  body: string;
}

/** A Chat Completions request as the app sent it to the model. */
export interface ModelRequest {
  messages: { role: string; content?: unknown; tool_calls?: { id: string }[]; tool_call_id?: string }[];
}

// Per-connection headers, and those that no longer hold once fetch has decoded and re-framed the body.
const UNFORWARDED = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"]);

/**
 * Sits between the app and one service for route tests and records every request the app sends it, as sent.
 * `url` is `target` moved onto the proxy (same path), to configure the app with. `rewrite` may change a
 * response body on its way back to the app.
 */
export async function startRecordingProxy(target: string, rewrite: (body: string, path: string) => string = (body) => body) {
  const recorded: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    recorded.push({ method, path, authorization: req.headers.authorization, body: body.toString() });
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string" && !UNFORWARDED.has(name)) headers.set(name, value);
    const upstream = await fetch(new URL(path, target), { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
    const responseHeaders: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!UNFORWARDED.has(name)) responseHeaders[name] = value;
    });
    res.writeHead(upstream.status, responseHeaders);
    res.end(rewrite(await upstream.text(), path));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${new URL(target).pathname.replace(/\/$/, "")}`,
    recorded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * The recording proxy in front of the sandbox model. It also numbers tool calls per response (call_0, call_1, …)
 * the way some OpenAI-compatible servers do, so the same tool call id turns up in every chat of every user.
 */
export async function startModelProxy(target: string) {
  const proxy = await startRecordingProxy(target, (body, path) => (path.endsWith("/chat/completions") ? body.split("\n").map(numberToolCalls).join("\n") : body));
  return {
    ...proxy,
    /** The Chat Completions requests so far, parsed. */
    get requests(): ModelRequest[] {
      return proxy.recorded.filter((request) => request.path.endsWith("/chat/completions")).map((request) => JSON.parse(request.body) as ModelRequest);
    },
  };
}

function numberToolCalls(line: string): string {
  if (!line.startsWith("data: {")) return line;
  const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { tool_calls?: { index: number; id?: string }[] } }[] };
  for (const choice of chunk.choices ?? [])
    for (const call of choice.delta?.tool_calls ?? []) if (call.id) call.id = `call_${call.index}`;
  return `data: ${JSON.stringify(chunk)}`;
}
