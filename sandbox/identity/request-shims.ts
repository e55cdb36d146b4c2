/**
 * Rewrites of Auth0-style requests into what oidc-provider understands, applied before it sees them.
 * They are what lets nextjs-auth0 obtain My Account API tokens with a refresh token, as it does at Auth0,
 * and what lets a CIBA request name its API with `audience`.
 */
import express, { Router, type ErrorRequestHandler, type RequestHandler } from "express";
import { BACKCHANNEL_AUTHENTICATION_PATH } from "./ciba";
import { MY_ACCOUNT_SCOPES } from "./my-account";

export interface RequestShimOptions {
  clientId: string;
  myAccountAudience: string;
}

const withScopes = (scope: string | null, extra: readonly string[]) =>
  [...new Set([...(scope ?? "").split(" "), ...extra])].filter(Boolean).join(" ");

/**
 * At Auth0 a refresh token policy lets the first-party app's refresh token mint My Account tokens
 * (MRRT). oidc-provider only lets a refresh token mint tokens for the resources and scopes of the
 * sign-in that issued it, so every sign-in of the first-party app also asks for the My Account
 * resource and scopes. The access token issued at sign-in stays the userinfo token it was, because a
 * code exchange without `resource` and with `openid` yields one.
 */
function myAccountAtSignIn({ clientId, myAccountAudience }: RequestShimOptions): RequestHandler {
  const myAccountScopes = Object.values(MY_ACCOUNT_SCOPES);
  return (req, _res, next) => {
    const url = new URL(req.originalUrl, "http://localhost");
    const params = url.searchParams;
    if (params.get("client_id") === clientId && !params.has("resource")) {
      params.set("resource", myAccountAudience);
      params.set("scope", withScopes(params.get("scope"), myAccountScopes));
      req.url = `${url.pathname}?${params.toString()}`;
    }
    next();
  };
}

// Auth0 names the API a token is for with `audience`; oidc-provider uses RFC 8707's `resource`.
function audienceAsResource(params: URLSearchParams): void {
  const audience = params.get("audience");
  if (audience === null) return;
  if (!params.has("resource")) params.set("resource", audience);
  params.delete("audience");
}

/**
 * At the token endpoint oidc-provider drops `audience` before any grant runs, so it is renamed to
 * `resource` here (see `audienceAsResource`).
 *
 * A refresh request may list `offline_access` (nextjs-auth0 merges its configured scopes into every
 * token request). oidc-provider rejects a scope the refresh token was not issued with, and it never
 * keeps `offline_access` at sign-in, so the scope is dropped: presenting a refresh token is itself the
 * offline access.
 *
 * oidc-provider accepts a body parsed upstream as a string (it warns once that it did so).
 */
const tokenRequestShim: RequestHandler = (req, _res, next) => {
  if (typeof req.body !== "string") {
    next();
    return;
  }
  const params = new URLSearchParams(req.body);
  audienceAsResource(params);
  const scope = params.get("scope");
  if (params.get("grant_type") === "refresh_token" && scope !== null) {
    const kept = scope.split(" ").filter((value) => value && value !== "offline_access");
    if (kept.length > 0) params.set("scope", kept.join(" "));
    else params.delete("scope");
  }
  req.body = params.toString();
  next();
};

/**
 * At `/bc-authorize` an `audience` would reach oidc-provider as an extra parameter and name no
 * resource, so the access token would not be for the API; it becomes `resource` here too.
 */
const backchannelRequestShim: RequestHandler = (req, _res, next) => {
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
  router.get("/authorize", myAccountAtSignIn(options));
  router.post(
    "/oauth/token",
    // 56 KiB is oidc-provider's own limit for these bodies.
    express.text({ type: "application/x-www-form-urlencoded", limit: "56kb" }),
    tokenRequestShim,
  );
  router.use("/oauth/token", unreadableTokenRequest);
  router.post(
    BACKCHANNEL_AUTHENTICATION_PATH,
    express.text({ type: "application/x-www-form-urlencoded", limit: "56kb" }),
    backchannelRequestShim,
  );
  router.use(BACKCHANNEL_AUTHENTICATION_PATH, unreadableTokenRequest);
  return router;
}
