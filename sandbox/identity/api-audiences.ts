/**
 * APIs of the app's own world (the sandbox shop, …) as Auth0 resource servers: an audience, the
 * scopes it offers, and JWT access tokens with `aud` = the audience, which the API checks against the
 * issuer's JWKS without calling back here.
 */
import type { ResourceServerInfo } from "oidc-provider";

/** Audience → the scopes the API offers, e.g. `{ "urn:delegate-sandbox:shop": ["orders:create"] }`. */
export type ApiAudiences = Readonly<Record<string, readonly string[]>>;

/** Auth0's default lifetime for an API's access tokens is a day; an hour is plenty for the sandbox. */
const API_TOKEN_TTL_SECONDS = 60 * 60;

export function apiResourceServers(apiAudiences: ApiAudiences): Record<string, ResourceServerInfo> {
  return Object.fromEntries(
    Object.entries(apiAudiences).map(([audience, scopes]) => [
      audience,
      { audience, scope: scopes.join(" "), accessTokenFormat: "jwt", accessTokenTTL: API_TOKEN_TTL_SECONDS },
    ]),
  );
}
