/**
 * The My Account API as a resource server: its audience, its scopes, and how its access tokens are
 * checked. nextjs-auth0 asks for these tokens with a refresh token grant and `audience=<issuer>me/`,
 * exactly as it does against Auth0.
 */
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet } from "jose";

export const MY_ACCOUNT_SCOPES = {
  create: "create:me:connected_accounts",
  read: "read:me:connected_accounts",
  delete: "delete:me:connected_accounts",
} as const;
export type MyAccountScope = (typeof MY_ACCOUNT_SCOPES)[keyof typeof MY_ACCOUNT_SCOPES];

const ALL_SCOPES = Object.values(MY_ACCOUNT_SCOPES).join(" ");

/** `http://localhost:<port>/me/`: Auth0's My Account audience is the issuer followed by `me/`. */
export const myAccountAudience = (issuer: string): string => new URL("me/", issuer).href;

/** What oidc-provider's `getResourceServerInfo` answers for the My Account audience. */
export function myAccountResourceServer(issuer: string) {
  return {
    scope: ALL_SCOPES,
    audience: myAccountAudience(issuer),
    // A JWT, so the API checks it against the signing key instead of looking it up in the store.
    accessTokenFormat: "jwt" as const,
    // Short-lived: each serves a connect, list or delete call, and nextjs-auth0 mints another on expiry.
    accessTokenTTL: 600,
  };
}

export interface MyAccountCaller {
  sub: string;
  scopes: Set<string>;
}

/** Mirrors RFC 6750's `invalid_token`: the API answers 401 with the message. */
export class InvalidToken extends Error {
  override readonly name = "InvalidToken";
  readonly error = "invalid_token";
}

export type MyAccountTokenVerifier = (bearerToken: string) => Promise<MyAccountCaller>;

export function createMyAccountTokenVerifier(options: {
  issuer: string;
  clientId: string;
  /** The identity server's public keys; the tokens are signed in-process, so no HTTP is needed. */
  jwks: JSONWebKeySet;
}): MyAccountTokenVerifier {
  const keys = createLocalJWKSet(options.jwks);
  const audience = myAccountAudience(options.issuer);
  return async (bearerToken) => {
    try {
      const { payload } = await jwtVerify(bearerToken, keys, {
        issuer: options.issuer,
        audience,
        typ: "at+jwt",
        requiredClaims: ["sub", "exp", "client_id"],
      });
      if (payload.client_id !== options.clientId || typeof payload.sub !== "string") {
        throw new InvalidToken("the token was not issued to this application");
      }
      const scope = typeof payload.scope === "string" ? payload.scope : "";
      return { sub: payload.sub, scopes: new Set(scope.split(" ").filter(Boolean)) };
    } catch (error) {
      if (error instanceof InvalidToken) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidToken("the access token has expired");
      if (error instanceof errors.JOSEError) throw new InvalidToken(`the access token is not valid for ${audience}`);
      throw error;
    }
  };
}
