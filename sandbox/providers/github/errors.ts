import type { ErrorRequestHandler, Response } from "express";
import { noteForLog } from "../../http";

const DOCS = "https://docs.github.com/rest";

/** An error in GitHub's REST shape: a message, the relevant docs page, and the status as a string. */
export class GithubApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl = DOCS,
  ) {
    super(message);
  }

  send(res: Response): void {
    res.status(this.status).json({ message: this.message, documentation_url: this.documentationUrl, status: String(this.status) });
  }
}

export const githubErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (error instanceof GithubApiError) return error.send(res);
  noteForLog(res, `error: ${error instanceof Error ? error.message : String(error)}`);
  new GithubApiError(503, "Service Unavailable").send(res);
};
