/**
 * APIs of the app's own world (the sandbox shop, …) as Auth0 resource servers: an audience, the
 * scopes it offers, the `authorization_details` types registered on it, and JWT access tokens with
 * `aud` = the audience, which the API checks against the issuer's JWKS without calling back here.
 */
import type { ResourceServerInfo } from "oidc-provider";

/** One API as its Auth0 resource server is configured. */
export interface ApiRegistration {
  /** The permissions (scopes) the API offers, e.g. `orders:create`. */
  scopes: readonly string[];
  /**
   * The Rich Authorization Requests types registered on the API, e.g.
   * `urn:auth0:schemas:authorization-details:v1:purchase`. Auth0 refuses an
   * `authorization_details` entry of any other type ("Configure Rich Authorization Requests":
   * "You must register authorization_details types for a resource server, which is similar to
   * registering allowed scopes").
   */
  authorizationDetailsTypes: readonly string[];
  /** The API's name as the consent screen shows it (Auth0: the API's Name); the audience when absent. */
  name?: string;
  /** Each permission's description, as Auth0 keeps one per permission and shows it on the consent screen. */
  scopeDescriptions?: Readonly<Record<string, string>>;
  /**
   * The permissions a third-party (dynamically registered) application may be granted on the API. Auth0 gives
   * third-party applications no API at all unless a client grant allows it, even under an "Allow All" access policy;
   * a default grant `default_for: third_party_clients` is how a tenant lets every registered client ask
   * (auth0.com/docs/get-started/applications/third-party-applications/troubleshooting). Absent: none may.
   */
  thirdPartyScopes?: readonly string[];
}

/** Audience → the API's registration, e.g. `{ "urn:delegate-sandbox:shop": { scopes: ["orders:create"], … } }`. */
export type ApiAudiences = Readonly<Record<string, ApiRegistration>>;

/** Auth0's default lifetime for an API's access tokens is a day; an hour is plenty for the sandbox. */
const API_TOKEN_TTL_SECONDS = 60 * 60;

export function apiResourceServers(apiAudiences: ApiAudiences): Record<string, ResourceServerInfo> {
  return Object.fromEntries(
    Object.entries(apiAudiences).map(([audience, { scopes }]) => [
      audience,
      { audience, scope: scopes.join(" "), accessTokenFormat: "jwt", accessTokenTTL: API_TOKEN_TTL_SECONDS },
    ]),
  );
}
