import { createServer } from "node:http";
import express, { type ErrorRequestHandler } from "express";
import { listen, urlHost, requestLog } from "../http";
import { shopApi } from "./api";
import { createShopTokenVerifier, ShopError } from "./auth";
import { renderDashboard } from "./dashboard";
import { OrderBook, orderView, type Order } from "./orders";

export interface ShopApiOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** The identity server whose access tokens are accepted, e.g. "http://localhost:4000/". */
  issuer: string;
  /** The shop's API identifier: tokens must carry it as `aud`, e.g. "urn:delegate-sandbox:shop". */
  audience: string;
  log?: (line: string) => void;
}

export interface ShopApi {
  /** Base URL of the API and of the sandbox order page, e.g. "http://127.0.0.1:4004". */
  url: string;
  close(): Promise<void>;
}



// The sandbox's view shows whose order it is; the API's own answers never need to.
const sandboxOrderView = (order: Order) => ({ user: order.sub, ...orderView(order) });

/**
 * A sandbox online shop for Delegate's "buy something" tool: a product catalog and an orders API
 * protected by the identity server's access tokens for `audience`, plus read-only sandbox views of
 * every order (`GET /`, `GET /sandbox/orders`) for tests and curious developers. Orders live in
 * memory: a restart empties the shop.
 */
export async function startShopApi(options: ShopApiOptions): Promise<ShopApi> {
  const { host = "127.0.0.1", issuer, audience, log = (line: string) => console.log(line) } = options;
  const server = createServer();
  const port = await listen(server, options.port, host);
  const url = `http://${urlHost(host)}:${port}`;
  const orders = new OrderBook();

  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog("[sandbox:shop]", log));
  app.use(shopApi({ verify: createShopTokenVerifier({ issuer, audience }), audience, orders }));
  app.get("/", (_req, res) => {
    res.type("html").send(renderDashboard(orders.list()));
  });
  app.get("/sandbox/orders", (req, res) => {
    const sub = typeof req.query.sub === "string" && req.query.sub !== "" ? req.query.sub : undefined;
    res.json({ orders: orders.list(sub).map(sandboxOrderView) });
  });
  app.use(() => {
    throw new ShopError(404, "not_found", "No such endpoint in the sandbox shop.");
  });

  const sendError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ShopError) {
      res.status(error.status).json({ error: error.error, error_description: error.message, ...error.extra });
      return;
    }
    // express.json's own failures (malformed JSON, too large) carry a 4xx status.
    const status = (error as { status?: unknown } | undefined)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      res.status(400).json({ error: "invalid_request", error_description: "The request body is not valid JSON." });
      return;
    }
    log(`[sandbox:shop] server error: ${error instanceof Error ? error.message : String(error)}`);
    res.status(500).json({ error: "server_error", error_description: "The sandbox shop failed to handle the request." });
  };
  app.use(sendError);
  server.on("request", app);
  log(`[sandbox:shop] Sandbox shop on ${url} (tokens from ${issuer} for ${audience})`);

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
