/**
 * Rewrites of Auth0-style requests into what oidc-provider understands, applied before it sees them.
 * They are what lets a refresh token mint tokens for other APIs exactly as far as the application's
 * refresh-token policies allow, as at Auth0, and what lets a CIBA request name its API with `audience`.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";
import { BACKCHANNEL_AUTHENTICATION_PATH } from "./ciba";
import { DEVICE_AUTHORIZATION_PATH } from "./device-flow";
import { OIDC_SCOPES } from "./provider-config";

/**
 * One entry of Auth0's `refresh_token.policies` on an application (Multi-Resource Refresh Token): the
 * application's refresh tokens may mint access tokens for `audience` with at most `scope`.
 * https://auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token/configure-and-implement-multi-resource-refresh-token
 */
export interface RefreshTokenPolicy {
  audience: string;
  scope: string[];
}

export interface RequestShimOptions {
  clientId: string;
  refreshTokenPolicies: readonly RefreshTokenPolicy[];
  /** The scopes the grant behind a refresh token holds for an API; "" for an unknown token or API. */
  grantedResourceScope: (refreshToken: string, resource: string) => Promise<string>;
}

const withScopes = (scope: string | null, extra: readonly string[]) =>
  [...new Set([...(scope ?? "").split(" "), ...extra])].filter(Boolean).join(" ");

/**
 * oidc-provider lets a refresh token mint tokens only for the resources and scopes of the sign-in that
 * issued it, so the first-party app's sign-in also asks for every API and scope its refresh-token
 * policies list: that is what the policies let the refresh token reach at Auth0. The access token issued
 * at sign-in stays the userinfo token it was, because a code exchange without `resource` and with
 * `openid` yields one.
 */
function policiesAtSignIn({ clientId, refreshTokenPolicies }: RequestShimOptions): RequestHandler {
  return (req, _res, next) => {
    const url = new URL(req.originalUrl, "http://localhost");
    const params = url.searchParams;
    if (params.get("client_id") === clientId && !params.has("resource") && refreshTokenPolicies.length > 0) {
      for (const { audience } of refreshTokenPolicies) params.append("resource", audience);
      params.set("scope", withScopes(params.get("scope"), refreshTokenPolicies.flatMap(({ scope }) => scope)));
      req.url = `${url.pathname}?${params.toString()}`;
    }
    next();
  };
}

// Auth0 names the API a token is for with `audience`; oidc-provider uses RFC 8707's `resource`. A request may
// send either (MCP clients send `resource`); when it sends both, `resource` wins and `audience` is dropped.
function audienceAsResource(params: URLSearchParams): void {
  const audience = params.get("audience");
  if (audience === null) return;
  if (!params.has("resource")) params.set("resource", audience);
  params.delete("audience");
}

/**
 * A refresh request for an API the refresh token may not reach is not refused at Auth0: the audience (and
 * the scopes that came with it) is ignored and a token for the sign-in's own audience comes back
 * (MRRT: "the refresh token exchange will silently ignore them"; without a policy the refresh grant only
 * refreshes the audience the user signed in with). oidc-provider would answer `invalid_target` or
 * `invalid_scope` instead, so such a request loses its audience and API scopes here, and a request for an
 * API it may reach keeps only the scopes granted for that API.
 */
async function withinRefreshTokenReach(params: URLSearchParams, options: RequestShimOptions): Promise<void> {
  const resource = params.get("resource");
  const refreshToken = params.get("refresh_token");
  if (params.get("grant_type") !== "refresh_token" || resource === null || refreshToken === null) return;
  const granted = new Set((await options.grantedResourceScope(refreshToken, resource)).split(" ").filter(Boolean));
  if (granted.size === 0) params.delete("resource");
  const requested = params.get("scope");
  if (requested === null) return;
  const kept = requested.split(" ").filter((scope) => OIDC_SCOPES.has(scope) || granted.has(scope));
  params.set("scope", kept.join(" "));
}

/**
 * At the token endpoint oidc-provider drops `audience` before any grant runs, so it is renamed to
 * `resource` here (see `audienceAsResource`), and a refresh request is held to what the refresh token
 * may reach (see `withinRefreshTokenReach`).
 *
 * A refresh request may list `offline_access` (nextjs-auth0 merges its configured scopes into every
 * token request). oidc-provider rejects a scope the refresh token was not issued with, and it never
 * keeps `offline_access` at sign-in, so the scope is dropped: presenting a refresh token is itself the
 * offline access.
 *
 * oidc-provider accepts a body parsed upstream as a string (it warns once that it did so).
 */
function tokenRequestShim(options: RequestShimOptions): RequestHandler {
  return async (req, _res, next) => {
    if (typeof req.body !== "string") {
      next();
      return;
    }
    const params = new URLSearchParams(req.body);
    audienceAsResource(params);
    await withinRefreshTokenReach(params, options);
    const scope = params.get("scope");
    if (params.get("grant_type") === "refresh_token" && scope !== null) {
      const kept = scope.split(" ").filter((value) => value && value !== "offline_access");
      if (kept.length > 0) params.set("scope", kept.join(" "));
      else params.delete("scope");
    }
    req.body = params.toString();
    next();
  };
}

/**
 * Any other application's sign-in (the CLI's, a registered MCP client's) names its API the Auth0 way with
 * `audience` or the RFC 8707 way with `resource`; either becomes `resource`. The app's own sign-in is left to
 * `policiesAtSignIn`, since nextjs-auth0 sends no audience for it.
 */
function audienceAtSignIn({ clientId }: RequestShimOptions): RequestHandler {
  return (req, _res, next) => {
    const url = new URL(req.originalUrl, "http://localhost");
    if (url.searchParams.get("client_id") !== clientId && url.searchParams.has("audience")) {
      audienceAsResource(url.searchParams);
      req.url = `${url.pathname}?${url.searchParams.toString()}`;
    }
    next();
  };
}

/**
 * At `/bc-authorize` and `/oauth/device/code` an `audience` would reach oidc-provider as an extra parameter and
 * name no resource, so the access token would not be for the API; it becomes `resource` here too.
 */
const audienceInBodyShim: RequestHandler = (req, _res, next) => {
  if (typeof req.body === "string") {
    const params = new URLSearchParams(req.body);
    audienceAsResource(params);
    req.body = params.toString();
  }
  next();
};

// A body the shim cannot read (too large, bad charset) gets the OAuth error oidc-provider would give.
const unreadableTokenRequest: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const status = (error as { status?: unknown } | undefined)?.status;
  if (res.headersSent || typeof status !== "number" || status < 400 || status >= 500) {
    next(error);
    return;
  }
  res.status(400).json({ error: "invalid_request", error_description: "failed to parse the request body" });
};

export function requestShims(options: RequestShimOptions): Router {
  const router = Router();
  router.get("/authorize", policiesAtSignIn(options), audienceAtSignIn(options));
  router.post(
    "/oauth/token",
    // 56 KiB is oidc-provider's own limit for these bodies.
    express.text({ type: "application/x-www-form-urlencoded", limit: "56kb" }),
    tokenRequestShim(options),
  );
  router.use("/oauth/token", unreadableTokenRequest);
  for (const path of [BACKCHANNEL_AUTHENTICATION_PATH, DEVICE_AUTHORIZATION_PATH]) {
    router.post(path, express.text({ type: "application/x-www-form-urlencoded", limit: "56kb" }), audienceInBodyShim);
    router.use(path, unreadableTokenRequest);
  }
  return router;
}
