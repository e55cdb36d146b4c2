/**
 * `slow_down` for CIBA and device-code polls. Auth0 refuses a poll that comes sooner than `interval` after the
 * client's previous poll of the same request; oidc-provider never does, so this runs in front of it
 * at `/oauth/token`. A refused poll counts as a poll, and it lengthens the request's interval for
 * good: Auth0's "Check Back-Channel Login Status" sends `Retry-After` with the wait and says "if you
 * consistently poll too frequently, the number of seconds you must wait increases". Each slow_down
 * adds the base interval (5 s by default, RFC 8628 §3.5's step, which CIBA adopts).
 *
 * It runs before oidc-provider authenticates the client, so it checks the client's credentials
 * itself and leaves every request it cannot vouch for (wrong client, unknown, answered or expired
 * request) to oidc-provider, whose answer (`invalid_client`, `invalid_grant`, or for an expired request
 * `access_denied`, see auth0CibaResponses) wins.
 *
 * The device flow (RFC 8628 §3.5) asks the same of the device's polls: `slow_down`, and "the interval MUST be
 * increased by 5 seconds for this and all subsequent requests". Auth0's device flow sends 5 as `interval`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { RequestHandler } from "express";
import type { Provider } from "oidc-provider";
import { CIBA_GRANT_TYPE } from "./ciba";
import { DEVICE_CODE_GRANT_TYPE } from "./device-flow";

export interface CibaPollingOptions {
  provider: Provider;
  clientId: string;
  clientSecret: string;
  intervalSeconds: number;
  now?: () => number;
}

export interface DevicePollingOptions {
  provider: Provider;
  /** The public client that runs the device flow; it authenticates with its client_id alone. */
  clientId: string;
  intervalSeconds: number;
  now?: () => number;
}

const digest = (value: string) => createHash("sha256").update(value).digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

interface PollState {
  lastPollAt: number;
  intervalMs: number;
}

/** Each request's last poll and current interval, keyed by a hash so no auth_req_id or device_code sits in memory in the clear. */
class PollTimes {
  readonly #polls = new Map<string, PollState>();
  readonly #forgetAfterMs: number;

  constructor(forgetAfterMs: number) {
    this.#forgetAfterMs = forgetAfterMs;
  }

  /** The request's state, or a fresh one with `intervalMs`; stale entries are dropped on the way. */
  get(id: string, now: number, intervalMs: number): PollState {
    for (const [key, poll] of this.#polls) {
      if (now - poll.lastPollAt > this.#forgetAfterMs) this.#polls.delete(key);
    }
    const key = digest(id).toString("base64url");
    let poll = this.#polls.get(key);
    if (!poll) {
      poll = { lastPollAt: Number.NEGATIVE_INFINITY, intervalMs };
      this.#polls.set(key, poll);
    }
    return poll;
  }
}

/**
 * The poll's request id when it is one to pace: a poll of a live request by the client it belongs to.
 * `undefined` leaves the request to oidc-provider.
 */
type PacedRequest = (params: URLSearchParams) => Promise<string | undefined>;

function pollThrottle(intervalSeconds: number, now: () => number, pacedRequest: PacedRequest): RequestHandler {
  const intervalMs = intervalSeconds * 1000;
  // A CIBA request lives at most five minutes, a device code fifteen; their poll times are useless soon after.
  const polls = new PollTimes(Math.max(intervalMs, 20 * 60 * 1000));

  return async (req, res, next) => {
    // The token request shim has read the form body into a string.
    const id = await pacedRequest(new URLSearchParams(typeof req.body === "string" ? req.body : ""));
    if (!id) {
      next();
      return;
    }
    const at = now();
    const poll = polls.get(id, at, intervalMs);
    const tooSoon = at - poll.lastPollAt < poll.intervalMs;
    poll.lastPollAt = at;
    if (!tooSoon) {
      next();
      return;
    }
    poll.intervalMs += intervalMs;
    const waitSeconds = poll.intervalMs / 1000;
    res
      .status(400)
      .set({ "Cache-Control": "no-store", "Retry-After": String(waitSeconds) })
      .json({
        error: "slow_down",
        error_description: `You are polling faster than allowed. Try again in ${waitSeconds} seconds.`,
      });
  };
}

export function cibaPollThrottle({
  provider,
  clientId,
  clientSecret,
  intervalSeconds,
  now = Date.now,
}: CibaPollingOptions): RequestHandler {
  return pollThrottle(intervalSeconds, now, async (params) => {
    const authReqId = params.get("auth_req_id");
    if (params.get("grant_type") !== CIBA_GRANT_TYPE || !authReqId) return undefined;
    const secret = params.get("client_secret");
    if (params.get("client_id") !== clientId || secret === null || !sameSecret(secret, clientSecret)) return undefined;
    const request = await provider.BackchannelAuthenticationRequest.find(authReqId, { ignoreExpiration: true });
    if (!request || request.clientId !== clientId || request.consumed || request.isExpired) return undefined;
    return authReqId;
  });
}

export function devicePollThrottle({ provider, clientId, intervalSeconds, now = Date.now }: DevicePollingOptions): RequestHandler {
  return pollThrottle(intervalSeconds, now, async (params) => {
    const deviceCode = params.get("device_code");
    if (params.get("grant_type") !== DEVICE_CODE_GRANT_TYPE || !deviceCode || params.get("client_id") !== clientId) return undefined;
    const code = await provider.DeviceCode.find(deviceCode, { ignoreExpiration: true });
    if (!code || code.clientId !== clientId || code.consumed || code.isExpired) return undefined;
    return deviceCode;
  });
}
