import { Unreachable } from "./check";

/** Every network call of the doctor gives up after this long. */
export const TIMEOUT_MS = 10_000;

export interface HttpAnswer {
  status: number;
  /** The body when it is a JSON object, else null. */
  body: Record<string, unknown> | null;
}

/** Why a fetch failed, in words (connection refused, DNS, TLS, timeout), without the URL, which may hold credentials. */
export function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${TIMEOUT_MS / 1000} s`;
  }
  type Cause = { code?: string; message?: string; errors?: Cause[] };
  const outer = (error as { cause?: Cause } | undefined)?.cause;
  // A host with several addresses (localhost: ::1 and 127.0.0.1) fails with one error per address.
  const cause = outer?.code ? outer : (outer?.errors?.[0] ?? outer);
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused (nothing listens there)",
    ENOTFOUND: "the host name does not resolve",
    EAI_AGAIN: "the host name could not be resolved (DNS)",
    ECONNRESET: "the connection was reset",
    CERT_HAS_EXPIRED: "its TLS certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
    ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate is for another host",
  };
  if (cause?.code && reasons[cause.code]) return reasons[cause.code]!;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** A request with the doctor's timeout; throws Unreachable when no HTTP answer came back. */
export async function request(url: string | URL, init: RequestInit = {}): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new Unreachable(`${new URL(url).origin} could not be reached: ${networkReason(error)}`);
  }
  const text = await response.text().catch(() => "");
  let body: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    body = null;
  }
  return { status: response.status, body };
}

/** An OAuth token-endpoint style request: a form body, JSON back. */
export function postForm(url: string, params: Record<string, string>): Promise<HttpAnswer> {
  return request(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(params),
  });
}

/** The OAuth error code of an answer (RFC 6749 §5.2), if it has one. */
export const oauthError = (answer: HttpAnswer): string | undefined =>
  typeof answer.body?.error === "string" ? answer.body.error : undefined;

/** The server's own words about an error: useful to a deployer and never a secret of theirs. */
export function errorDescription(answer: HttpAnswer): string {
  const code = oauthError(answer);
  const description = typeof answer.body?.error_description === "string" ? answer.body.error_description : undefined;
  if (code) return description ? `${code}: ${description}` : code;
  return `HTTP ${answer.status}`;
}
