import "server-only";
import { deleteConnectionToken, findConnectionToken, saveConnectionToken } from "@/db/queries/connection-tokens";
import { waitInWords, withRetries } from "@/lib/http/retry";
import { connections, type ConnectionName } from "./connections";
import { decrypt, encrypt } from "./encryption";
import { INTERRUPT_NAME, type TokenVaultInterrupt } from "./interrupts";
import { MyAccountPolicyError, myAccountPolicyProblem } from "./my-account";
import { IssuerUnavailableError, OAuthError, requestToken } from "./oauth";
import type { ApiAccess } from "./tool-context";

/**
 * Auth0 Token Vault: the user's refresh token is exchanged for a short-lived access token to a connected
 * service. Nothing long-lived is stored by the app; the provider token is cached (encrypted) until shortly
 * before it expires.
 */
const GRANT_TYPE = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const REQUESTED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token";
const REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
/** A cached token is not handed out in its last minute: a tool call may take that long. */
const EXPIRY_MARGIN_MS = 60_000;

/** The user has to connect (or reconnect, or grant more to) an account before the tool can run. */
export class TokenVaultInterruptError extends Error {
  override name = "TokenVaultInterruptError";
  constructor(readonly interrupt: TokenVaultInterrupt) {
    super(interrupt.message);
  }
}

/** Token Vault could not answer. The tool is refused, never run without a token. */
export class TokenVaultUnavailableError extends Error {
  override name = "TokenVaultUnavailableError";
}

/**
 * Token Vault refused for a reason connecting would not fix; the message says what will (sign in again, an
 * administrator's setting, waiting). The tool is refused, never run without a token.
 */
export class TokenVaultRefusedError extends Error {
  override name = "TokenVaultRefusedError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Auth0's answers when the user has no connected account (token set) for the connection: connecting fixes it. */
const NOT_CONNECTED = new Set(["federated_connection_refresh_token_not_found", "tokenset_not_found"]);

const WEB_SIGN_IN_AGAIN = "Sign out and sign in again";

const signInAgain = (label: string, how = WEB_SIGN_IN_AGAIN) =>
  new TokenVaultRefusedError(
    "invalid_grant",
    `Your Delegate sign-in has expired or was revoked, so Delegate cannot reach your ${label} account. ${how}; your connected accounts stay connected.`,
  );

/**
 * What to tell the user for each error Auth0's token endpoint documents for the exchange
 * (auth0.com/docs/secure/tokens/token-vault/configure-token-vault, auth0.com/docs/api/authentication):
 * `invalid_grant` — the Auth0 refresh token is unknown, expired or was rotated away (rotation must be off);
 * `unauthorized_client` — the Token Vault grant is not enabled for the application; `mfa_required` — the tenant's
 * MFA policy applies to the exchange, and Token Vault needs it set to Never; `too_many_requests` — rate limited.
 */
function refusalOf(error: OAuthError, label: string, how: string | undefined): TokenVaultRefusedError {
  switch (error.error) {
    case "invalid_grant":
      return signInAgain(label, how);
    case "unauthorized_client":
      return new TokenVaultRefusedError(
        error.error,
        `Delegate may not use Token Vault yet: the administrator must enable the Token Vault grant type (${GRANT_TYPE}) for the application in Auth0 (Applications → Advanced Settings → Grant Types). Nothing was done.`,
      );
    case "mfa_required":
      return new TokenVaultRefusedError(
        error.error,
        `Auth0 asks for multi-factor authentication before handing out your ${label} token, which Token Vault cannot do: the administrator must set the tenant's multi-factor authentication policy to "Never" (Security → Multi-factor Auth; use an Action to require MFA at sign-in instead). Nothing was done.`,
      );
    case "too_many_requests": {
      return new TokenVaultRefusedError(error.error, `The identity service is limiting requests right now. Try again in ${waitInWords(error.retryAfterSeconds)}. Nothing was done.`);
    }
    default:
      return new TokenVaultRefusedError(error.error, `The identity service refused access to your ${label} account (${error.error}). Nothing was done.`);
  }
}

const isRateLimit = (error: OAuthError) => error.status === 429 || error.error === "too_many_requests";

export function tokenVaultInterrupt(
  reason: TokenVaultInterrupt["reason"],
  connection: ConnectionName,
  requiredScopes: string[],
): TokenVaultInterruptError {
  const label = connections[connection].label;
  const message = {
    not_connected: `Connect your ${label} account to continue.`,
    missing_scopes: `Delegate needs more permissions on your ${label} account.`,
    token_rejected: `${label} no longer accepts Delegate's access. Reconnect your ${label} account.`,
  }[reason];
  return new TokenVaultInterruptError({ name: INTERRUPT_NAME, code: "TOKEN_VAULT_ERROR", reason, connection, requiredScopes, message });
}

export interface ConnectionTokenRequest {
  userId: string;
  /** The signed-in user's Auth0 refresh token: the subject of the exchange for the web chat. */
  refreshToken: string | undefined;
  /** An API caller's access token: the subject instead, exchanged by that API's Custom API Client. */
  apiAccess?: ApiAccess;
  connection: ConnectionName;
  scopes: string[];
}

export async function getConnectionToken(request: ConnectionTokenRequest): Promise<string> {
  const { userId, connection, scopes } = request;
  const cached = await findConnectionToken({ userId, connection });
  if (cached && cached.expiresAt.getTime() - EXPIRY_MARGIN_MS > Date.now() && covers(cached.scopes, scopes)) {
    const token = decrypt(cached.encryptedToken, `${userId}|${connection}`);
    if (token) return token;
  }
  return exchange(request);
}

/**
 * What the exchange is made with: the web session's refresh token and the web application's credentials, or an API
 * caller's access token and the API's Custom API Client (Auth0's "access token exchange with Token Vault").
 */
function subjectOf({ refreshToken, apiAccess }: ConnectionTokenRequest, label: string) {
  if (!apiAccess) {
    if (!refreshToken) throw signInAgain(label);
    return { params: { subject_token_type: REFRESH_TOKEN_TYPE, subject_token: refreshToken }, client: undefined };
  }
  if (!apiAccess.client) {
    throw new TokenVaultRefusedError(
      "unauthorized_client",
      `Delegate cannot reach your ${label} account from here yet: the administrator must give this API a Custom API Client for Token Vault (README.md, "MCP clients and the terminal"). Nothing was done.`,
    );
  }
  return { params: { subject_token_type: ACCESS_TOKEN_TYPE, subject_token: apiAccess.token }, client: apiAccess.client };
}

async function exchange(request: ConnectionTokenRequest): Promise<string> {
  const { userId, refreshToken, apiAccess, connection, scopes } = request;
  const label = connections[connection].label;
  const subject = subjectOf(request, label);
  let response;
  try {
    response = await withRetries(
      () => requestToken({ grant_type: GRANT_TYPE, ...subject.params, requested_token_type: REQUESTED_TOKEN_TYPE, connection }, subject.client),
      { retryable: (error) => error instanceof OAuthError && isRateLimit(error) && (error.retryAfterSeconds ?? true) },
    );
  } catch (error) {
    if (error instanceof OAuthError) {
      if (!NOT_CONNECTED.has(error.error)) throw refusalOf(error, label, apiAccess?.signInAgain);
      // Connecting needs a My Account token from this same refresh token; without the policy for it, a
      // "Connect" prompt would only lead to a connect that fails, so the administrator's fix is named instead.
      const policyProblem = refreshToken && !apiAccess ? await myAccountPolicyProblem(refreshToken) : null;
      if (policyProblem) throw new TokenVaultRefusedError(MyAccountPolicyError.code, policyProblem.message);
      throw tokenVaultInterrupt("not_connected", connection, scopes);
    }
    if (error instanceof IssuerUnavailableError) throw new TokenVaultUnavailableError(error.message);
    throw error;
  }
  // Without a `scope` in the answer the grant is taken as requested; the provider's own 403 still catches a gap.
  const granted = response.scope === undefined ? scopes : response.scope.split(/[\s,]+/).filter(Boolean);
  await saveConnectionToken({
    userId,
    connection,
    encryptedToken: encrypt(response.access_token, `${userId}|${connection}`),
    scopes: granted,
    expiresAt: new Date(Date.now() + (response.expires_in ?? 0) * 1000),
  });
  const missing = scopes.filter((scope) => !granted.includes(scope));
  if (missing.length > 0) throw tokenVaultInterrupt("missing_scopes", connection, missing);
  return response.access_token;
}

function covers(granted: string[], required: string[]): boolean {
  return required.every((scope) => granted.includes(scope));
}

/** Forgets the cached token, e.g. after the provider rejected it or the account was disconnected. */
export async function forgetConnectionToken(userId: string, connection: ConnectionName) {
  await deleteConnectionToken({ userId, connection });
}
