/**
 * Auth0's client grants: the APIs an application may call as itself, with the client_credentials
 * grant, and the scopes it was granted on each. In the sandbox that is the app on the Management API.
 * These audiences are for machine tokens only, and the user-facing APIs for user tokens only, as at
 * Auth0, where a client grant is what authorizes an application and a user's sign-in never does.
 */
import { errors, type KoaContextWithOIDC, type ResourceServerInfo } from "oidc-provider";

/** Audience → the API as oidc-provider sees it; its `scope` is what the application was granted. */
export type ClientGrants = Readonly<Record<string, ResourceServerInfo>>;

export const CLIENT_CREDENTIALS_GRANT_TYPE = "client_credentials";

/** Whether a resource or scope check runs for a client_credentials token request. */
export const isClientCredentialsRequest = (ctx: KoaContextWithOIDC): boolean =>
  ctx.oidc.params.grant_type === CLIENT_CREDENTIALS_GRANT_TYPE;

/**
 * The API a client_credentials request names, checked against the client grants. oidc-provider would
 * silently drop scopes the API does not offer; Auth0 refuses the request, so this does too. With no
 * `scope` at all, Auth0 issues every granted scope, and so does this.
 */
export function clientGrantResourceServer(
  ctx: KoaContextWithOIDC,
  audience: string,
  grants: ClientGrants,
): ResourceServerInfo {
  const info = Object.hasOwn(grants, audience) ? grants[audience] : undefined;
  if (!info) throw new errors.InvalidTarget(`the application has no client grant for the audience ${audience}`);

  const { scope } = ctx.oidc.params;
  const requested = typeof scope === "string" ? scope.split(" ").filter(Boolean) : [];
  if (requested.length === 0) {
    ctx.oidc.params.scope = info.scope;
    return info;
  }
  const granted = new Set(info.scope.split(" "));
  const refused = requested.filter((value) => !granted.has(value));
  if (refused.length > 0) {
    throw new errors.InvalidScope(
      `the application has not been granted ${refused.join(" ")} on ${audience}`,
      refused.join(" "),
    );
  }
  return info;
}
