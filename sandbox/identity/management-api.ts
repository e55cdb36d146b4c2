/**
 * Auth0's Management API v2 as a resource server: its audience, its scopes, and how its access tokens
 * are checked. The app asks for these tokens as itself, with the client_credentials grant and
 * `audience=<issuer>api/v2/`, exactly as it does against an Auth0 tenant.
 */
import type { JSONWebKeySet } from "jose";
import type { ResourceServerInfo } from "oidc-provider";
import { apiAccessTokenVerifier, InvalidToken } from "./api-access-token";

/** The slice of the Management API the sandbox serves: looking users up to share documents by email. */
export const MANAGEMENT_API_SCOPES = { readUsers: "read:users" } as const;

/** `http://localhost:<port>/api/v2/`: Auth0's Management API identifier is the issuer followed by `api/v2/`. */
export const managementApiAudience = (issuer: string): string => new URL("api/v2/", issuer).href;

/** Auth0's default lifetime for Management API tokens. */
const MANAGEMENT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** What oidc-provider's `getResourceServerInfo` answers for the Management API audience. */
export function managementApiResourceServer(issuer: string): ResourceServerInfo {
  return {
    scope: Object.values(MANAGEMENT_API_SCOPES).join(" "),
    audience: managementApiAudience(issuer),
    // A JWT, so the API checks it against the signing key instead of looking it up in the store.
    accessTokenFormat: "jwt",
    accessTokenTTL: MANAGEMENT_TOKEN_TTL_SECONDS,
  };
}

export interface ManagementApiCaller {
  clientId: string;
  scopes: Set<string>;
}

export type ManagementApiTokenVerifier = (bearerToken: string) => Promise<ManagementApiCaller>;

/**
 * Accepts RFC 9068 access tokens this issuer signed for the Management API audience. Only the
 * client_credentials grant can mint one (see client-grants.ts), so a user's own tokens, whatever API
 * they are for, fail the audience check.
 */
export function createManagementApiTokenVerifier(options: {
  issuer: string;
  /** The identity server's public keys; the tokens are signed in-process, so no HTTP is needed. */
  jwks: JSONWebKeySet;
}): ManagementApiTokenVerifier {
  return apiAccessTokenVerifier({
    issuer: options.issuer,
    audience: managementApiAudience(options.issuer),
    jwks: options.jwks,
    requiredClaims: ["exp", "client_id"],
    accept: (payload, scopes) => {
      if (typeof payload.client_id !== "string") throw new InvalidToken("the token names no client");
      return { clientId: payload.client_id, scopes };
    },
  });
}
