/**
 * The My Account API as a resource server: its audience, its scopes, and how its access tokens are
 * checked. nextjs-auth0 asks for these tokens with a refresh token grant and `audience=<issuer>me/`,
 * exactly as it does against Auth0.
 */
import type { JSONWebKeySet } from "jose";
import { apiAccessTokenVerifier, InvalidToken } from "./api-access-token";

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

export type MyAccountTokenVerifier = (bearerToken: string) => Promise<MyAccountCaller>;

export function createMyAccountTokenVerifier(options: {
  issuer: string;
  clientId: string;
  /** The identity server's public keys; the tokens are signed in-process, so no HTTP is needed. */
  jwks: JSONWebKeySet;
}): MyAccountTokenVerifier {
  return apiAccessTokenVerifier({
    issuer: options.issuer,
    audience: myAccountAudience(options.issuer),
    jwks: options.jwks,
    requiredClaims: ["sub", "exp", "client_id"],
    accept: (payload, scopes) => {
      if (payload.client_id !== options.clientId || typeof payload.sub !== "string") {
        throw new InvalidToken("the token was not issued to this application");
      }
      return { sub: payload.sub, scopes };
    },
  });
}
