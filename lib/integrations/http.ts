import "server-only";
import { ProviderError, type ProviderFailure } from "./provider-error";

const TIMEOUT_MS = 10_000;

/**
 * One authenticated JSON call to a provider API. The bearer token goes only into the Authorization header:
 * never into URLs, errors or logs.
 */
export async function callProvider<T>({
  service,
  url,
  token,
  method = "GET",
  body,
  headers = {},
  timeoutMs = TIMEOUT_MS,
}: {
  service: string;
  url: URL;
  token: string;
  method?: "GET" | "POST";
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}): Promise<T> {
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
  if (!response.ok) throw new ProviderError(service, classify(response), response.status);
  try {
    return (await response.json()) as T;
  } catch {
    throw new ProviderError(service, "unavailable", response.status, "the answer was not JSON");
  }
}

function classify(response: Response): ProviderFailure {
  const { status, headers } = response;
  if (status === 401) return "unauthorized";
  if (status === 429 || (status === 403 && headers.get("x-ratelimit-remaining") === "0")) return "rate_limited";
  if (status === 403) return "insufficient_scope";
  if (status === 404) return "not_found";
  if (status >= 500) return "unavailable";
  return "bad_request";
}

export function apiUrl(base: string, path: string, query: Record<string, string | number | boolean | undefined> = {}) {
  const url = new URL(base.replace(/\/+$/, "") + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url;
}
