/** How a call to a provider API (Google, GitHub, Slack) failed, in the terms the authorizer acts on. */
export type ProviderFailure =
  | "unauthorized" // the token was rejected: reconnect
  | "insufficient_scope" // the token lacks a permission: ask for it
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "not_found"
  | "bad_request";

export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly service: string,
    readonly failure: ProviderFailure,
    readonly status?: number,
    detail?: string,
  ) {
    super(`${service}: ${failure}${status ? ` (HTTP ${status})` : ""}${detail ? `: ${detail}` : ""}`);
  }
}
