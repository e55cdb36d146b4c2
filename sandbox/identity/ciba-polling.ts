/**
 * `slow_down` for CIBA polls. Auth0 refuses a poll that comes sooner than `interval` after the
 * client's previous poll of the same request; oidc-provider never does, so this runs in front of it
 * at `/oauth/token`. A refused poll counts as a poll: the next allowed one is `interval` after it.
 *
 * It runs before oidc-provider authenticates the client, so it checks the client's credentials
 * itself and leaves every request it cannot vouch for (wrong client, unknown, answered or expired
 * request) to oidc-provider, whose answer (`invalid_client`, `invalid_grant`, `expired_token`) wins.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Provider } from "oidc-provider";
import { CIBA_GRANT_TYPE } from "./ciba";

export interface CibaPollingOptions {
  provider: Provider;
  clientId: string;
  clientSecret: string;
  intervalSeconds: number;
  now?: () => number;
}

const digest = (value: string) => createHash("sha256").update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** When each request was last polled, keyed by a hash so no auth_req_id sits in memory in the clear. */
class PollTimes {
  readonly #lastPoll = new Map<string, number>();
  readonly #forgetAfterMs: number;

  constructor(forgetAfterMs: number) {
    this.#forgetAfterMs = forgetAfterMs;
  }

  /** Records a poll at `now` and returns the previous one, if any. */
  swap(authReqId: string, now: number): number | undefined {
    for (const [key, at] of this.#lastPoll) {
      if (now - at > this.#forgetAfterMs) this.#lastPoll.delete(key);
    }
    const key = digest(authReqId).toString("base64url");
    const previous = this.#lastPoll.get(key);
    this.#lastPoll.set(key, now);
    return previous;
  }
}

export function cibaPollThrottle({
  provider,
  clientId,
  clientSecret,
  intervalSeconds,
  now = Date.now,
}: CibaPollingOptions): RequestHandler {
  const intervalMs = intervalSeconds * 1000;
  // A request lives at most five minutes; its poll times are useless soon after.
  const polls = new PollTimes(Math.max(intervalMs, 10 * 60 * 1000));

  return async (req, res, next) => {
    // The token request shim has read the form body into a string.
    const params = new URLSearchParams(typeof req.body === "string" ? req.body : "");
    const authReqId = params.get("auth_req_id");
    if (params.get("grant_type") !== CIBA_GRANT_TYPE || !authReqId) {
      next();
      return;
    }
    const secret = params.get("client_secret");
    if (params.get("client_id") !== clientId || secret === null || !sameSecret(secret, clientSecret)) {
      next();
      return;
    }
    const request = await provider.BackchannelAuthenticationRequest.find(authReqId, { ignoreExpiration: true });
    if (!request || request.clientId !== clientId || request.consumed || request.isExpired) {
      next();
      return;
    }

    const at = now();
    const previous = polls.swap(authReqId, at);
    if (previous === undefined || at - previous >= intervalMs) {
      next();
      return;
    }
    res
      .status(400)
      .set({ "Cache-Control": "no-store", "Retry-After": String(intervalSeconds) })
      .json({
        error: "slow_down",
        error_description: `You are polling faster than allowed. Try again in ${intervalSeconds} seconds.`,
      });
  };
}
