import "server-only";
import { retryAfterSeconds, withRetries } from "@/lib/http/retry";
import { ProviderError, type ProviderFailure } from "./provider-error";

const TIMEOUT_MS = 10_000;
/** More than any provider's error document; a bigger one is not read, whatever it says. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** A refused call as the classifiers see it: the status, the headers, and the body if it was small JSON. */
export interface ProviderRefusal {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface Verdict {
  failure: ProviderFailure;
  retryAfterSeconds?: number;
}

/** A provider's own reading of a refusal; undefined leaves it to the status code. */
export type ExplainRefusal = (refusal: ProviderRefusal) => Verdict | undefined;

export interface ProviderCall<T> {
  service: string;
  url: URL;
  token: string;
  method?: "GET" | "POST";
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  explain?: ExplainRefusal;
  /** Checks a 2xx answer, throwing a ProviderError for one that is a refusal in disguise (Slack's `ok: false`). */
  accept?: (body: T, headers: Headers) => void;
}

/**
 * One authenticated JSON call to a provider API, retried while the provider is rate limiting within the budget
 * of lib/http/retry (a longer wait reaches the caller, whose message says when to try again). The bearer token
 * goes only into the Authorization header: never into URLs, errors or logs.
 */
export async function callProvider<T>(call: ProviderCall<T>): Promise<T> {
  return (await callProviderWithHeaders(call)).body;
}

/** callProvider, for the few answers whose headers matter too (GitHub's X-OAuth-Scopes). */
export function callProviderWithHeaders<T>(call: ProviderCall<T>): Promise<{ body: T; headers: Headers }> {
  return withRetries(() => callOnce(call), {
    retryable: (error) => {
      if (!(error instanceof ProviderError)) return false;
      if (error.failure === "rate_limited") return error.retryAfterSeconds ?? true;
      // A server error may be passing; a POST is not repeated, as it may have been carried out.
      return error.failure === "unavailable" && (error.status ?? 0) >= 500 && (call.method ?? "GET") === "GET";
    },
  });
}

async function callOnce<T>({ service, url, token, method = "GET", body, headers = {}, timeoutMs = TIMEOUT_MS, explain, accept }: ProviderCall<T>) {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: "application/json",
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    throw new ProviderError(service, timedOut ? "timeout" : "unavailable");
  }
  if (!response.ok) {
    const refusal = { status: response.status, headers: response.headers, body: await readErrorBody(response) };
    const { failure, retryAfterSeconds } = explain?.(refusal) ?? classify(refusal);
    throw new ProviderError(service, failure, response.status, failure === "rate_limited" ? retryAfterSeconds ?? waitAsked(response.headers) : undefined);
  }
  let answer: T;
  try {
    answer = (await response.json()) as T;
  } catch {
    throw new ProviderError(service, "unavailable", response.status);
  }
  accept?.(answer, response.headers);
  return { body: answer, headers: response.headers };
}

/** The refusal's JSON body, or undefined for anything else: HTML pages, huge bodies, broken JSON. */
async function readErrorBody(response: Response): Promise<unknown> {
  const reader = /\bjson\b/i.test(response.headers.get("content-type") ?? "") ? response.body?.getReader() : undefined;
  if (!reader) {
    await response.body?.cancel().catch(() => {});
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      size += read.value.byteLength;
      if (size > MAX_ERROR_BODY_BYTES) {
        await reader.cancel();
        return undefined;
      }
      chunks.push(read.value);
    }
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

/**
 * Seconds the provider asked to wait: Retry-After (RFC 9110), or — GitHub's primary rate limit — the reset time
 * of an exhausted `x-ratelimit-remaining`, in UTC epoch seconds.
 */
export function waitAsked(headers: Headers, now = Date.now()): number | undefined {
  const asked = retryAfterSeconds(headers.get("retry-after"), now);
  if (asked !== undefined) return asked;
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (headers.get("x-ratelimit-remaining") !== "0" || !Number.isInteger(reset) || reset <= 0) return undefined;
  return Math.max(0, reset - Math.floor(now / 1000));
}

/**
 * What the status code and the standard headers say. A 403 is a missing permission only when the provider says so
 * (RFC 6750's `error="insufficient_scope"`); with a wait asked it is a rate limit, and otherwise a refusal that
 * more permissions would not lift.
 */
function classify({ status, headers }: ProviderRefusal): Verdict {
  if (status === 401) return { failure: "unauthorized" };
  if (status === 429) return { failure: "rate_limited" };
  if (status === 403) {
    if (waitAsked(headers) !== undefined || headers.get("x-ratelimit-remaining") === "0") return { failure: "rate_limited" };
    if (/\berror="insufficient_scope"/.test(headers.get("www-authenticate") ?? "")) return { failure: "insufficient_scope" };
    return { failure: "forbidden" };
  }
  if (status === 404) return { failure: "not_found" };
  if (status >= 500) return { failure: "unavailable" };
  return { failure: "bad_request" };
}

export function apiUrl(base: string, path: string, query: Record<string, string | number | boolean | undefined> = {}) {
  const url = new URL(base.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}
