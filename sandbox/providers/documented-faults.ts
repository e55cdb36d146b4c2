import type { Fault } from "../faults";

/**
 * The providers' documented rate-limit answers, ready for `injectFault` on the provider server: a small sandbox
 * never reaches a real limit, so tests (or a developer with curl) queue these. Each is the real service's status,
 * headers and body; `path` is the stand-in's, prefix included ("/google/calendar/v3/freeBusy").
 */

// Calendar "Handle API errors" (403: User Rate Limit Exceeded / Rate Limit Exceeded) and Gmail "Resolve errors".
export function googleRateLimit(path: string, reason: "rateLimitExceeded" | "userRateLimitExceeded" = "rateLimitExceeded"): Fault {
  const message = reason === "rateLimitExceeded" ? "Rate Limit Exceeded" : "User Rate Limit Exceeded";
  return {
    path,
    status: 403,
    headers: { "content-type": "application/json; charset=UTF-8" },
    body: { error: { errors: [{ domain: "usageLimits", reason, message }], code: 403, message } },
  };
}

// Google Cloud APIs' error model: a quota exhausted per minute is 429 RESOURCE_EXHAUSTED with an ErrorInfo detail.
export function googleResourceExhausted(path: string, service = "calendar-json.googleapis.com"): Fault {
  const message = `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service '${service}' for consumer 'project_number:1234567890'.`;
  return {
    path,
    status: 429,
    headers: { "content-type": "application/json; charset=UTF-8" },
    body: {
      error: {
        code: 429,
        message,
        errors: [{ message, domain: "global", reason: "rateLimitExceeded" }],
        status: "RESOURCE_EXHAUSTED",
        details: [
          {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            reason: "RATE_LIMIT_EXCEEDED",
            domain: "googleapis.com",
            metadata: { service, quota_metric: `${service}/default`, quota_limit: "defaultPerMinutePerUser", consumer: "projects/1234567890" },
          },
        ],
      },
    },
  };
}

const GITHUB_RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";

// GitHub REST "Rate limits for the REST API" → "Exceeding the rate limit": the primary limit is 403 (or 429) with
// x-ratelimit-remaining 0 and the reset time in UTC epoch seconds.
export function githubPrimaryLimit(path: string, resetInSeconds: number, status: 403 | 429 = 403): Fault {
  return {
    path,
    status,
    headers: {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "0",
      "x-ratelimit-used": "5000",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + resetInSeconds),
      "x-ratelimit-resource": "core",
    },
    body: { message: "API rate limit exceeded for user ID 1.", documentation_url: GITHUB_RATE_DOCS, status: String(status) },
  };
}

// The same page: a secondary limit is 403 (or 429) with a message saying so, retry-after when GitHub names the
// wait, and requests left in the primary limit.
export function githubSecondaryLimit(path: string, retryAfterSeconds?: number, status: 403 | 429 = 403): Fault {
  return {
    path,
    status,
    headers: {
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4987",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3000),
      ...(retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
    },
    body: {
      message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      documentation_url: `${GITHUB_RATE_DOCS}#about-secondary-rate-limits`,
      status: String(status),
    },
  };
}

// Slack "Rate limits": HTTP 429 with Retry-After in seconds.
export function slackRateLimit(path: string, retryAfterSeconds: number): Fault {
  return { path, status: 429, headers: { "retry-after": String(retryAfterSeconds) }, body: { ok: false, error: "ratelimited" } };
}

// Slack "Web API basics": a failed call is HTTP 200 with ok: false and an error code.
export function slackError(path: string, error: string): Fault {
  return { path, status: 200, body: { ok: false, error } };
}
