import "server-only";
import { deleteConnectionToken, findConnectionToken, saveConnectionToken } from "@/db/queries/connection-tokens";
import { connections, type ConnectionName } from "./connections";
import { decrypt, encrypt } from "./encryption";
import { INTERRUPT_NAME, type TokenVaultInterrupt } from "./interrupts";
import { IssuerUnavailableError, OAuthError, requestToken } from "./oauth";

/**
 * Auth0 Token Vault: the user's refresh token is exchanged for a short-lived access token to a connected
 * service. Nothing long-lived is stored by the app; the provider token is cached (encrypted) until shortly
 * before it expires.
 */
const GRANT_TYPE = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const REQUESTED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token";
const REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token";
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
  /** The signed-in user's Auth0 refresh token: the subject of the exchange. */
  refreshToken: string | undefined;
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

async function exchange({ userId, refreshToken, connection, scopes }: ConnectionTokenRequest): Promise<string> {
  if (!refreshToken) throw new TokenVaultUnavailableError("The session has no refresh token. Sign out and in again.");
  let response;
  try {
    response = await requestToken({
      grant_type: GRANT_TYPE,
      subject_token_type: REFRESH_TOKEN_TYPE,
      subject_token: refreshToken,
      requested_token_type: REQUESTED_TOKEN_TYPE,
      connection,
    });
  } catch (error) {
    // Auth0 answers any failure to find a usable connected account with a 4xx: the user has to connect.
    if (error instanceof OAuthError) throw tokenVaultInterrupt("not_connected", connection, scopes);
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
