import type { RequestHandler, Response } from "express";

const PREFIX = "[sandbox:shop]";

/** Adds a short reason to the request's log line, e.g. why a token was refused. Never token material. */
export function noteForLog(res: Response, note: string): void {
  res.locals.logNote = note;
}

// Method, path and status only: headers carry tokens, and query strings and bodies are the user's business.
export function requestLog(log: (line: string) => void): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const path = req.path;
    res.on("finish", () => {
      const elapsed = Math.round(performance.now() - started);
      const note = typeof res.locals.logNote === "string" ? ` (${res.locals.logNote})` : "";
      log(`${PREFIX} ${req.method} ${path} ${res.statusCode} ${elapsed}ms${note}`);
    });
    next();
  };
}
