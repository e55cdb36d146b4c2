/**
 * Auth0's Token Vault exchange at `/oauth/token`: the app trades the user's refresh token (or access
 * token) for an access token to a service the user connected. Here the "provider access token" is a
 * sandbox provider token (see provider-tokens.ts) carrying the scopes the user allowed.
 *
 * Of the errors Auth0 answers here, two come about naturally: `federated_connection_refresh_token_not_found`
 * (nothing connected) and `invalid_grant` (a refresh token that is unknown, expired, or revoked with its grant).
 * The rest depend on tenant settings the sandbox does not model — `unauthorized_client` (the Token Vault grant
 * not enabled for the application), `mfa_required` (the tenant's MFA policy is not "Never",
 * auth0.com/docs/secure/tokens/token-vault/configure-token-vault) and `too_many_requests` (rate limits) — and
 * are answered through fault injection (sandbox/faults.ts) with Auth0's bodies.
 *
 * The access-token variant is Auth0's "access token exchange with Token Vault"
 * (auth0.com/docs/secure/tokens/token-vault/access-token-exchange-with-token-vault): an API that received a user's
 * access token exchanges it, authenticating as the Custom API Client that shares the API's identifier. So it is
 * open to Custom API Clients only (anyone else: `unauthorized_client`), and the subject must be a JWT access token
 * this issuer signed, unexpired, whose `aud` is that client's API, for a user that exists (else `invalid_grant`).
 * The refresh-token variant stays the web application's, for refresh tokens it holds itself.
 */
import { createLocalJWKSet, jwtVerify, type JWK as JoseJwk } from "jose";
import { errors, type JWK, type KoaContextWithOIDC, type OIDCProviderError, type Provider } from "oidc-provider";
import type { ConnectedAccountStore } from "./connected-accounts";
import { findConnection } from "./connections";
import type { ProviderTokenMinter } from "./provider-tokens";
import { findUserBySub } from "./users";

export const TOKEN_VAULT_GRANT_TYPE =
  "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
export const FEDERATED_CONNECTION_ACCESS_TOKEN_TYPE =
  "http://auth0.com/oauth/token-type/federated-connection-access-token";
const REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** The only parameters oidc-provider passes through to the grant (besides client authentication). */
export const TOKEN_VAULT_PARAMETERS = [
  "subject_token",
  "subject_token_type",
  "requested_token_type",
  "connection",
  "login_hint",
];

/** Auth0's answer, word for word, when the user has not connected the service (or disconnected it). */
export const NOT_CONNECTED = {
  error: "federated_connection_refresh_token_not_found",
  error_description: "Federated connection Refresh Token not found.",
} as const;

export interface TokenVaultDependencies {
  provider: Provider;
  accounts: ConnectedAccountStore;
  minter: ProviderTokenMinter;
  issuer: string;
  /** The issuer's public signing keys, which every access token it issued verifies against. */
  jwks: { keys: JWK[] };
  /** Custom API Client id → the audience of the API it is linked to. */
  customApiClients: ReadonlyMap<string, string>;
}

function stringParam(ctx: KoaContextWithOIDC, name: string): string | undefined {
  const value = ctx.oidc.params[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

const invalidSubject = () => new errors.InvalidGrant("invalid subject_token");

// Auth0 answers a grant the client may not use with 403 unauthorized_client (see auth0GrantTypeRefusal).
function notACustomApiClient(): OIDCProviderError {
  const error = new errors.UnauthorizedClient(
    "only a Custom API Client may exchange an access token: create one linked to the API the token is for",
  );
  // oidc-provider's error handler answers with statusCode.
  Object.assign(error, { status: 403, statusCode: 403 });
  return error;
}

// A live refresh token this same client holds, for a user the sandbox still knows.
async function refreshTokenSubject(provider: Provider, ctx: KoaContextWithOIDC, subjectToken: string): Promise<string> {
  const token = await provider.RefreshToken.find(subjectToken);
  const clientId = ctx.oidc.client.clientId;
  if (!token || token.isExpired || token.consumed || token.clientId !== clientId) throw invalidSubject();
  // A revoked grant takes every token issued under it with it, even one that is still stored.
  const grant = token.grantId ? await provider.Grant.find(token.grantId) : undefined;
  if (!grant || grant.accountId !== token.accountId || grant.clientId !== clientId || !findUserBySub(token.accountId)) {
    throw invalidSubject();
  }
  return token.accountId;
}

// A JWT access token for the Custom API Client's own API, signed by this issuer, unexpired, for a known user.
async function accessTokenSubject(
  { issuer, jwks, customApiClients }: TokenVaultDependencies,
  ctx: KoaContextWithOIDC,
  subjectToken: string,
): Promise<string> {
  const audience = customApiClients.get(ctx.oidc.client.clientId);
  if (!audience) throw notACustomApiClient();
  const keys = createLocalJWKSet({ keys: jwks.keys as JoseJwk[] });
  try {
    const { payload } = await jwtVerify(subjectToken, keys, {
      issuer,
      audience,
      algorithms: ["RS256"],
      // RFC 9068's type, which oidc-provider's JWT access tokens carry; an ID token (typ JWT) is not one.
      typ: "at+jwt",
      requiredClaims: ["sub", "exp"],
    });
    if (typeof payload.sub !== "string" || !findUserBySub(payload.sub)) throw invalidSubject();
    return payload.sub;
  } catch (error) {
    if (error instanceof errors.OIDCProviderError) throw error;
    throw invalidSubject();
  }
}

async function subjectOf(deps: TokenVaultDependencies, ctx: KoaContextWithOIDC): Promise<string> {
  const subjectToken = stringParam(ctx, "subject_token");
  const subjectTokenType = stringParam(ctx, "subject_token_type") ?? REFRESH_TOKEN_TYPE;
  if (!subjectToken) throw new errors.InvalidRequest("missing required parameter 'subject_token'");
  if (subjectTokenType === REFRESH_TOKEN_TYPE) return refreshTokenSubject(deps.provider, ctx, subjectToken);
  if (subjectTokenType === ACCESS_TOKEN_TYPE) return accessTokenSubject(deps, ctx, subjectToken);
  throw new errors.InvalidRequest(`unsupported subject_token_type '${subjectTokenType}'`);
}

/** oidc-provider grant handler; register it with `TOKEN_VAULT_PARAMETERS`. */
export function tokenVaultGrant(deps: TokenVaultDependencies) {
  const { accounts, minter } = deps;
  return async function tokenVaultGrantHandler(ctx: KoaContextWithOIDC): Promise<void> {
    if (stringParam(ctx, "requested_token_type") !== FEDERATED_CONNECTION_ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`requested_token_type must be '${FEDERATED_CONNECTION_ACCESS_TOKEN_TYPE}'`);
    }
    const connectionName = stringParam(ctx, "connection");
    if (!connectionName) throw new errors.InvalidRequest("missing required parameter 'connection'");
    if (!findConnection(connectionName)) throw new errors.InvalidRequest(`unknown connection '${connectionName}'`);

    const sub = await subjectOf(deps, ctx);
    const account = accounts.find(sub, connectionName);
    // A user has one account per connection here; a hint that names someone else finds nothing.
    const loginHint = stringParam(ctx, "login_hint");
    const hintMatches = !loginHint || loginHint === account?.id || loginHint === findUserBySub(sub)?.email;
    if (!account || !hintMatches) {
      ctx.status = 401;
      ctx.body = { ...NOT_CONNECTED };
      return;
    }

    const { token, expiresIn } = await minter.mint({
      sub,
      connection: connectionName,
      scopes: account.scopes,
      connectedAccountId: account.id,
    });
    ctx.body = {
      access_token: token,
      issued_token_type: FEDERATED_CONNECTION_ACCESS_TOKEN_TYPE,
      token_type: "Bearer",
      expires_in: expiresIn,
      scope: account.scopes.join(" "),
    };
  };
}
