import type { Response } from "express";

/**
 * Slack's Web API answers HTTP 200 for failures too, with `ok: false` and an error code in the body
 * (`not_authed`, `invalid_auth`, `token_expired`, `missing_scope`…); only malformed requests and
 * outages get other statuses. Clients check `ok`, so the sandbox does exactly the same rather than
 * answering 401 or 403.
 */
export function slackError(res: Response, error: string, extra: Record<string, string> = {}): void {
  res.status(200).json({ ok: false, error, ...extra });
}
