import type { RequestHandler } from "express";

const PREFIX = "[sandbox:fga]";

// Method, path and status only: bodies hold the tuples, which are the app's data, not log material.
export function requestLog(log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const path = req.path;
    res.on("finish", () => {
      const elapsed = Math.round(performance.now() - started);
      const code = typeof res.locals.errorCode === "string" ? ` (${res.locals.errorCode})` : "";
      log(`${PREFIX} ${req.method} ${path} ${res.statusCode} ${elapsed}ms${code}`);
    });
    next();
  };
}
