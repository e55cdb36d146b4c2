/**
 * How the sandbox's own APIs (My Account, the Management API) check the RFC 9068 access tokens this issuer signs for
 * them, and the error they answer with.
 */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from "jose";

/** Mirrors RFC 6750's `invalid_token`: the API answers 401 with the message. */
export class InvalidToken extends Error {
  override readonly name = "InvalidToken";
  readonly error = "invalid_token";
}

/**
 * A verifier of `at+jwt` tokens for `audience`, which hands a valid token's claims and scopes to `accept` (it may throw
 * InvalidToken too). Every other failure is an InvalidToken naming the audience; the keys are the identity server's
 * own, as the tokens are signed in-process.
 */
export function apiAccessTokenVerifier<Caller>(options: {
  issuer: string;
  audience: string;
  jwks: JSONWebKeySet;
  requiredClaims: string[];
  accept: (payload: JWTPayload, scopes: Set<string>) => Caller;
}): (bearerToken: string) => Promise<Caller> {
  const keys = createLocalJWKSet(options.jwks);
  return async (bearerToken) => {
    try {
      const { payload } = await jwtVerify(bearerToken, keys, { issuer: options.issuer, audience: options.audience, typ: "at+jwt", requiredClaims: options.requiredClaims });
      const scope = typeof payload.scope === "string" ? payload.scope : "";
      return options.accept(payload, new Set(scope.split(" ").filter(Boolean)));
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidToken("the access token has expired");
      if (error instanceof errors.JOSEError) throw new InvalidToken(`the access token is not valid for ${options.audience}`);
      throw error;
    }
  };
}
