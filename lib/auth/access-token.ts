import "server-only";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { IssuerUnavailableError, providerMetadata } from "./oauth";

/**
 * Verifies an Auth0 access token for one of Delegate's APIs locally, as a resource server does: signature by the
 * issuer's JWKS, issuer, audience, expiry. Nothing is asked of the issuer per request but its keys, which jose caches
 * and refetches when a token names a key it has not seen (key rotation).
 */
export interface VerifiedAccessToken {
  sub: string;
  scopes: ReadonlySet<string>;
  /** The application the token was issued to (`client_id`, or `azp`), for the audit trail. */
  clientId: string | undefined;
  expiresAt: Date;
  /** The token itself, which Token Vault's access-token exchange takes as its subject. */
  token: string;
}

/** RFC 6750 `invalid_token`: malformed, not ours, for another audience, expired or forged. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Auth0 signs access tokens with RS256 unless an API is set to HS256, which a resource server cannot verify alone. */
const ALGORITHMS = ["RS256"];

let keys: { jwksUri: string; keySet: ReturnType<typeof createRemoteJWKSet> } | undefined;

function keySetAt(jwksUri: string) {
  if (keys?.jwksUri !== jwksUri) keys = { jwksUri, keySet: createRemoteJWKSet(new URL(jwksUri)) };
  return keys.keySet;
}

export async function verifyAccessToken(token: string, audience: string): Promise<VerifiedAccessToken> {
  const metadata = await providerMetadata();
  if (!metadata.jwks_uri) throw new IssuerUnavailableError("Discovery has no jwks_uri, so access tokens cannot be verified");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySetAt(metadata.jwks_uri), {
      issuer: metadata.issuer,
      audience,
      algorithms: ALGORITHMS,
      requiredClaims: ["sub", "exp"],
    }));
  } catch (error) {
    if (error instanceof errors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
      throw new IssuerUnavailableError(`The identity server's keys could not be fetched: ${error.message}`);
    }
    if (error instanceof errors.JOSEError || error instanceof TypeError) throw new InvalidTokenError(describe(error));
    throw error;
  }
  const scope = typeof payload.scope === "string" ? payload.scope : "";
  const clientId = typeof payload.client_id === "string" ? payload.client_id : typeof payload.azp === "string" ? payload.azp : undefined;
  return { sub: payload.sub!, scopes: new Set(scope.split(" ").filter(Boolean)), clientId, expiresAt: new Date(payload.exp! * 1000), token };
}

/** What the caller is told: enough to fix their client, nothing about the keys. */
function describe(error: Error): string {
  if (error instanceof errors.JWTExpired) return "The access token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "aud") return "The access token is for another API.";
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "iss") return "The access token was not issued by this app's identity server.";
  return "The access token is not valid.";
}
