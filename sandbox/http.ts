import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestHandler, Response } from "express";

/** Plumbing shared by the sandbox's HTTP services. */

/** Listens and resolves with the port actually bound (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The host to put in a URL for a bound address. */
export function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/** Adds a short reason to the request's log line, e.g. why a token was refused. Never token material. */
export function noteForLog(res: Response, note: string): void {
  res.locals.logNote = note;
}

// Method, path and status only: headers carry tokens, and query strings and bodies carry codes, search terms,
// mail and tuples — none of it belongs in a log.
export function requestLog(prefix: string, log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const path = req.path;
    res.on("finish", () => {
      const elapsed = Math.round(performance.now() - started);
      const note = typeof res.locals.logNote === "string" ? ` (${res.locals.logNote})` : "";
      log(`${prefix} ${req.method} ${path} ${res.statusCode} ${elapsed}ms${note}`);
    });
    next();
  };
}
