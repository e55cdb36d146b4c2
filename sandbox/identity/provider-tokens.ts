/**
 * "Provider tokens": what the sandbox's Token Vault hands out in place of a Google, GitHub or Slack
 * access token. Each is a JWT signed with the identity server's signing key, with `aud` set to the
 * connection name, so a sandbox provider API can verify it against the issuer's public JWKS.
 *
 * The provider APIs run as a separate service and import the verifier from here, so this module
 * knows nothing of the identity server's internals: verification talks to the issuer over HTTP only,
 * and minting takes the signing key as an argument.
 */
import { randomUUID } from "node:crypto";
import { createRemoteJWKSet, errors, importJWK, jwtVerify, SignJWT, type JWK } from "jose";

// RFC 9068's access token type; it keeps an ID token, whose typ is "JWT", from passing as one.
const TOKEN_TYPE = "at+jwt";
const ALGORITHM = "RS256";

export const DEFAULT_PROVIDER_TOKEN_TTL_SECONDS = 3600;

export interface ProviderTokenGrant {
  sub: string;
  connection: string;
  scopes: readonly string[];
  connectedAccountId: string;
}

export interface ProviderTokenMinter {
  mint(grant: ProviderTokenGrant): Promise<{ token: string; expiresIn: number }>;
}

export async function createProviderTokenMinter(options: {
  issuer: string;
  /** The identity server's private signing key (RS256, with a kid). */
  signingKey: JWK;
  ttlSeconds?: number;
}): Promise<ProviderTokenMinter> {
  const { kid } = options.signingKey;
  if (!kid) throw new Error("the signing key needs a kid, so verifiers can pick it from the JWKS");
  const key = await importJWK(options.signingKey, ALGORITHM);
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_PROVIDER_TOKEN_TTL_SECONDS;
  return {
    async mint({ sub, connection, scopes, connectedAccountId }) {
      const token = await new SignJWT({ scope: scopes.join(" "), connected_account_id: connectedAccountId })
        .setProtectedHeader({ alg: ALGORITHM, kid, typ: TOKEN_TYPE })
        .setIssuer(options.issuer)
        .setSubject(sub)
        .setAudience(connection)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
      return { token, expiresIn: ttlSeconds };
    },
  };
}

export type ProviderTokenErrorReason = "invalid" | "expired";

/** A bearer token a provider API must refuse; `reason` picks its 401 description. */
export class ProviderTokenError extends Error {
  override readonly name = "ProviderTokenError";
  readonly reason: ProviderTokenErrorReason;

  constructor(reason: ProviderTokenErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export interface VerifiedProviderToken {
  sub: string;
  scopes: string[];
  connectedAccountId: string;
}

export type ProviderTokenVerifier = (bearerToken: string) => Promise<VerifiedProviderToken>;

// Failures that say something about the token itself; anything else (the issuer unreachable, a
// JWKS timeout) is the verifier's own trouble and must not be reported as a bad token.
export function isTokenFault(error: unknown): boolean {
  return (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWTClaimValidationFailed ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  );
}

/**
 * Verifies provider tokens for one connection: signature (the issuer's JWKS, fetched and cached),
 * `iss`, `aud` = the connection, `exp` and the claims a provider token always carries. Throws a
 * `ProviderTokenError` for a token to refuse.
 */
export function createProviderTokenVerifier(options: {
  /** The identity server's issuer, e.g. `http://localhost:4000/`. */
  issuer: string;
  /** The connection this API serves, e.g. `google-oauth2`. */
  connection: string;
}): ProviderTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", options.issuer));
  return async (bearerToken) => {
    try {
      const { payload } = await jwtVerify(bearerToken, jwks, {
        issuer: options.issuer,
        audience: options.connection,
        algorithms: [ALGORITHM],
        typ: TOKEN_TYPE,
        requiredClaims: ["sub", "exp", "iat", "jti", "scope", "connected_account_id"],
      });
      const { sub, scope, connected_account_id: connectedAccountId } = payload;
      if (typeof sub !== "string" || typeof scope !== "string" || typeof connectedAccountId !== "string") {
        throw new ProviderTokenError("invalid", "the token's claims are malformed");
      }
      return { sub, scopes: scope.split(" ").filter(Boolean), connectedAccountId };
    } catch (error) {
      if (error instanceof ProviderTokenError) throw error;
      if (error instanceof errors.JWTExpired) {
        throw new ProviderTokenError("expired", "the token has expired", { cause: error });
      }
      if (isTokenFault(error)) {
        throw new ProviderTokenError("invalid", `the token is not valid for ${options.connection}`, { cause: error });
      }
      throw error;
    }
  };
}
