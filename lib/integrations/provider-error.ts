/** How a call to a provider API (Google, GitHub, Slack) failed, in the terms the authorizer acts on. */
export type ProviderFailure =
  | "unauthorized" // the token was rejected: reconnect
  | "insufficient_scope" // the token lacks a permission: ask for it
  | "forbidden" // refused for another reason (a policy, the account's own rights): more permissions would not help
  | "rate_limited" // refused for now: try again later
  | "unavailable"
  | "timeout"
  | "not_found"
  | "bad_request";

/**
 * A provider's refusal. It carries only what the app decides on — never the provider's own text, which can be
 * huge, HTML, or written by whoever controls the answer — so its message is safe to log.
 */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    readonly service: string,
    readonly failure: ProviderFailure,
    readonly status?: number,
    /** For `rate_limited`: how long the provider asked to wait, when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${service}: ${failure}${status ? ` (HTTP ${status})` : ""}`);
  }
}
