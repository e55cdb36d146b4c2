import "server-only";
import { getConfig, issuerUrl } from "@/lib/config";
import { retryAfterSeconds } from "@/lib/http/retry";

/**
 * Calls the app itself makes to the OpenID Provider (Token Vault exchange, My Account tokens, CIBA), against
 * whatever issuer AUTH0_DOMAIN names. Endpoints come from discovery, bodies are form-encoded, and the client
 * authenticates with client_secret_post — what Auth0 and any standard OpenID Provider accept.
 */

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  [key: string]: unknown;
}

/**
 * The issuer answered with an OAuth error (RFC 6749 §5.2); `error` is its code. `retryAfterSeconds` is how long
 * the caller is asked to wait, when the answer says (a 429, or Auth0's CIBA `slow_down`).
 */
export class OAuthError extends Error {
  override name = "OAuthError";
  constructor(
    readonly status: number,
    readonly error: string,
    description?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

/**
 * Retry-After when sent; otherwise Auth0's `x-ratelimit-reset`, the epoch second its rate-limit bucket refills
 * (auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy).
 */
function waitAskedFor(headers: Headers): number | undefined {
  const retryAfter = retryAfterSeconds(headers.get("retry-after"));
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers.get("x-ratelimit-reset") ?? Number.NaN);
  return Number.isFinite(reset) && reset > 0 ? Math.max(0, Math.ceil(reset - Date.now() / 1000)) : undefined;
}

/** The issuer could not be reached or gave no usable answer. Callers refuse the action (fail closed). */
export class IssuerUnavailableError extends Error {
  override name = "IssuerUnavailableError";
}

interface ProviderMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri?: string;
  backchannel_authentication_endpoint?: string;
}

/** Who authenticates a request to the token endpoint: the web application unless a caller names another client. */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

const TIMEOUT_MS = 10_000;
let discovery: { issuer: string; promise: Promise<ProviderMetadata> } | undefined;

export async function providerMetadata(): Promise<ProviderMetadata> {
  const issuer = issuerUrl(getConfig());
  if (discovery?.issuer !== issuer) {
    const promise = fetchJson(new URL(".well-known/openid-configuration", issuer)).then((doc) => {
      if (typeof doc.token_endpoint !== "string" || typeof doc.issuer !== "string")
        throw new IssuerUnavailableError("Discovery has no issuer or token_endpoint");
      return doc as unknown as ProviderMetadata;
    });
    discovery = { issuer, promise };
    promise.catch(() => (discovery = undefined)); // retry discovery next time
  }
  return discovery.promise;
}

async function fetchJson(url: URL): Promise<Record<string, unknown>> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!response.ok) throw new IssuerUnavailableError(`Discovery answered HTTP ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof IssuerUnavailableError) throw error;
    throw new IssuerUnavailableError(`Discovery failed: ${(error as Error).message}`);
  }
}

/** POSTs a client-authenticated form; returns the JSON answer or throws OAuthError / IssuerUnavailableError. */
async function postForm(endpoint: string, params: Record<string, string | undefined>, client?: ClientCredentials): Promise<Record<string, unknown>> {
  const config = getConfig();
  const { clientId, clientSecret } = client ?? { clientId: config.AUTH0_CLIENT_ID, clientSecret: config.AUTH0_CLIENT_SECRET };
  const body = new URLSearchParams({ client_id: clientId, client_secret: clientSecret });
  for (const [key, value] of Object.entries(params)) if (value !== undefined) body.set(key, value);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new IssuerUnavailableError(`Request to the identity server failed: ${(error as Error).message}`);
  }
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.status >= 500 || json === null) throw new IssuerUnavailableError(`The identity server answered HTTP ${response.status}`);
  if (!response.ok) {
    const description = typeof json.error_description === "string" ? json.error_description : undefined;
    throw new OAuthError(response.status, String(json.error ?? "invalid_request"), description, waitAskedFor(response.headers));
  }
  return json;
}

export async function requestToken(params: Record<string, string | undefined>, client?: ClientCredentials): Promise<TokenResponse> {
  const json = await postForm((await providerMetadata()).token_endpoint, params, client);
  if (typeof json.access_token !== "string" || typeof json.token_type !== "string")
    throw new IssuerUnavailableError("Token endpoint answered without access_token or token_type");
  return json as TokenResponse;
}

export interface BackchannelAuthentication {
  auth_req_id: string;
  expires_in: number;
  interval?: number;
}

/** CIBA (OpenID Connect Client-Initiated Backchannel Authentication) start request. */
export async function requestBackchannelAuthentication(params: Record<string, string | undefined>): Promise<BackchannelAuthentication> {
  const endpoint = (await providerMetadata()).backchannel_authentication_endpoint;
  if (!endpoint) throw new IssuerUnavailableError("The identity server does not offer CIBA (no backchannel_authentication_endpoint)");
  const json = await postForm(endpoint, params);
  if (typeof json.auth_req_id !== "string" || typeof json.expires_in !== "number")
    throw new IssuerUnavailableError("The CIBA endpoint answered without auth_req_id or expires_in");
  return json as unknown as BackchannelAuthentication;
}
