/**
 * CIBA (Client-Initiated Backchannel Authentication) in Auth0's wire format, on oidc-provider's
 * `features.ciba` in poll mode: the app asks at `POST /bc-authorize`, the user answers on the
 * sandbox authenticator page, and the app polls `POST /oauth/token`. This module holds the provider
 * hooks and the few answers reshaped to what Auth0 sends.
 */
import type {
  Adapter,
  CibaFeature,
  Configuration,
  KoaContextWithOIDC,
  ProviderMiddlewareContext,
} from "oidc-provider";
import { errors } from "oidc-provider";
import type { ApiAudiences } from "./api-audiences";
import type { BackchannelRequests } from "./backchannel-requests";
import {
  checkBindingMessage,
  checkRegisteredTypes,
  parseAuthorizationDetails,
  requestLifetimeSeconds,
  subjectOfLoginHint,
} from "./ciba-params";
import { checkGuardianDetails } from "./guardian-details";
import { findUserBySub } from "./users";

export const CIBA_GRANT_TYPE = "urn:openid:params:grant-type:ciba";
export const BACKCHANNEL_AUTHENTICATION_PATH = "/bc-authorize";
/** The CIBA spec's default, which Auth0 also answers with. */
export const DEFAULT_CIBA_INTERVAL_SECONDS = 5;

export interface CibaHookOptions {
  issuer: string;
  requests: BackchannelRequests;
  /** The APIs a request may name, with the authorization_details types registered on each. */
  apiAudiences: ApiAudiences;
  /** Where the user answers; named in the log line that announces a request. */
  authenticatorUrl: string;
  log: (line: string) => void;
}

const PREFIX = "[sandbox:identity]";

/** `features.ciba`: Auth0's login_hint and binding message rules, and the authenticator page as the device. */
export function cibaFeature({ issuer, requests, apiAudiences, authenticatorUrl, log }: CibaHookOptions): CibaFeature {
  return {
    enabled: true,
    deliveryModes: ["poll"],
    processLoginHint: (_ctx, loginHint) => subjectOfLoginHint(loginHint, issuer),
    processLoginHintToken: () => {
      throw new errors.InvalidRequest('login_hint_token is not supported; send login_hint in the "iss_sub" format');
    },
    validateBindingMessage: (_ctx, bindingMessage) => checkBindingMessage(bindingMessage),
    // Auth0 has no request_context. oidc-provider calls this hook for every request once it knows the
    // API (resource) and before it stores the request, which is where Auth0 holds authorization_details
    // to the types registered on that API and, since every request here goes to the stand-in for the
    // Guardian app, to Guardian's one-object schema.
    validateRequestContext: (ctx) => {
      const { authorization_details: value, resource } = ctx.oidc.params as Record<string, unknown>;
      const audience = typeof resource === "string" ? resource : undefined;
      const registered = audience && Object.hasOwn(apiAudiences, audience) ? apiAudiences[audience] : undefined;
      const details = parseAuthorizationDetails(value);
      checkGuardianDetails(details);
      checkRegisteredTypes(details, audience, registered?.authorizationDetailsTypes ?? []);
    },
    // Auth0 has no user codes; the stock hook throws "not implemented".
    verifyUserCode: () => {},
    triggerAuthenticationDevice: (_ctx, request, account, client) => {
      const bindingMessage = String(request.params.binding_message);
      const resource = Array.isArray(request.resource) ? request.resource[0] : request.resource;
      requests.add({
        authReqId: request.jti,
        accountId: account.accountId,
        clientId: client.clientId,
        clientName: client.clientName ?? client.clientId,
        bindingMessage,
        scopes: [...request.scopes],
        resource,
        details: checkGuardianDetails(parseAuthorizationDetails(request.params.authorization_details)),
        expiresAt: Date.now() + request.expiration * 1000,
      });
      // Who and what, so a developer knows to go and answer; never the auth_req_id.
      const name = findUserBySub(account.accountId)?.name ?? account.accountId;
      log(`${PREFIX} approval requested from ${name}: "${bindingMessage}"; answer it at ${authenticatorUrl}`);
    },
  };
}

/**
 * `extraParams` validator: `authorization_details` is kept as an extra parameter rather than through
 * oidc-provider's Rich Authorization Requests feature, which insists on a registry of types; the
 * sandbox only shows the details to the user and hands them back with the tokens, as Auth0 does.
 */
export function validateAuthorizationDetailsParam(_ctx: KoaContextWithOIDC, value: unknown): void {
  parseAuthorizationDetails(value);
}

/** `ttl.BackchannelAuthenticationRequest`: the client's `requested_expiry`, capped at Auth0's 300 s. */
export const backchannelRequestTtl: NonNullable<Configuration["ttl"]>[string] = (ctx) =>
  requestLifetimeSeconds(ctx?.oidc?.params.requested_expiry);

/**
 * How long a CIBA request outlives its expiry in the store. oidc-provider recognises an expired
 * request (and `auth0CibaResponses` answers it as Auth0 does) only while it still finds it; once the
 * store drops it, the answer would be `invalid_grant`.
 */
const EXPIRED_REQUEST_RETENTION_SECONDS = 10 * 60;

/** Wraps the adapter of the `BackchannelAuthenticationRequest` or `DeviceCode` model so expired requests stay findable. */
export function retainExpiredRequests(adapter: Adapter): Adapter {
  return {
    upsert: (id, payload, expiresIn) =>
      adapter.upsert(id, payload, expiresIn === undefined ? undefined : expiresIn + EXPIRED_REQUEST_RETENTION_SECONDS),
    find: (id) => adapter.find(id),
    findByUid: (uid) => adapter.findByUid(uid),
    findByUserCode: (userCode) => adapter.findByUserCode(userCode),
    consume: (id) => adapter.consume(id),
    destroy: (id) => adapter.destroy(id),
    revokeByGrantId: (grantId) => adapter.revokeByGrantId(grantId),
  };
}

// Auth0's descriptions, word for word, for the answers a polling client sees most.
const AUTH0_POLL_DESCRIPTIONS: Record<string, string> = {
  authorization_pending: "The end-user authorization is pending",
  access_denied: "The end-user denied the authorization request or it has been expired",
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `provider.use()` middleware giving CIBA answers Auth0's shape: `interval` in the `/bc-authorize`
 * response (oidc-provider leaves it out), `authorization_details` echoed in the token response, and
 * Auth0's wording for pending and denied polls. An expired request is answered `access_denied`, not
 * the CIBA spec's `expired_token`: Auth0's "Check Back-Channel Login Status" gives one answer, "The
 * end-user denied the authorization request or it has been expired", for both. Discovery stops
 * advertising `user_code`, which oidc-provider always claims and which the sandbox, like Auth0, ignores.
 */
export function auth0CibaResponses({ intervalSeconds }: { intervalSeconds: number }) {
  return async (ctx: ProviderMiddlewareContext, next: () => Promise<void>): Promise<void> => {
    await next();
    const { body } = ctx;
    if (!isRecord(body)) return;
    const route = ctx.oidc?.route;
    if (route === "discovery" && ctx.status === 200) {
      ctx.body = { ...body, backchannel_user_code_parameter_supported: false };
      return;
    }
    if (route === "backchannel_authentication" && ctx.status === 200 && typeof body.auth_req_id === "string") {
      ctx.body = { ...body, interval: intervalSeconds };
      return;
    }
    if (route !== "token" || ctx.oidc?.params?.grant_type !== CIBA_GRANT_TYPE) return;
    if (ctx.status === 200) {
      const request = ctx.oidc.entities?.BackchannelAuthenticationRequest;
      const details = parseAuthorizationDetails(request?.params.authorization_details);
      if (details) ctx.body = { ...body, authorization_details: details };
      return;
    }
    const error = body.error === "expired_token" ? "access_denied" : body.error;
    const description = typeof error === "string" ? AUTH0_POLL_DESCRIPTIONS[error] : undefined;
    if (description) ctx.body = { ...body, error, error_description: description };
  };
}
