import {
  errors,
  type Adapter,
  type CibaFeature,
  type Configuration,
  type JWK,
  type ProviderMiddlewareContext,
  type ResourceServerInfo,
} from "oidc-provider";
import {
  BACKCHANNEL_AUTHENTICATION_PATH,
  backchannelRequestTtl,
  CIBA_GRANT_TYPE,
  validateAuthorizationDetailsParam,
} from "./ciba";
import {
  CLIENT_CREDENTIALS_GRANT_TYPE,
  clientGrantResourceServer,
  isClientCredentialsRequest,
  type ClientGrants,
} from "./client-grants";
import { logoutSource, postLogoutSuccessSource, renderError } from "./provider-pages";
import { TOKEN_VAULT_GRANT_TYPE } from "./token-vault";
import { findUserBySub } from "./users";

export interface ProviderConfigOptions {
  appBaseUrl: string;
  clientId: string;
  clientSecret: string;
  jwks: { keys: JWK[] };
  cookieKeys: string[];
  adapter: (model: string) => Adapter;
  /** The APIs a user's token may be issued for, by audience: the My Account API and the app's own APIs. */
  resourceServers: Record<string, ResourceServerInfo>;
  /** The APIs the app may call as itself, with client_credentials: the Management API. */
  clientGrants: ClientGrants;
  /** `features.ciba`, whose hooks need the issuer and the authenticator's request list. */
  ciba: CibaFeature;
  /** The grant types the app's client may use; `CLIENT_GRANT_TYPES` unless a test turns some off. */
  grantTypes?: readonly string[];
}

/** Claims released per OpenID Connect scope. */
const CLAIMS = {
  openid: ["sub"],
  profile: ["name", "nickname", "picture"],
  email: ["email", "email_verified"],
};

/** The scopes oidc-provider treats as OpenID Connect scopes; any other scope belongs to an API. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set(["offline_access", ...Object.keys(CLAIMS)]);

const DAY = 24 * 60 * 60;
/** How long the sandbox remembers a signed-in user, whichever page signed them in. */
export const SESSION_TTL_SECONDS = 14 * DAY;

/** nextjs-auth0's callback route: the one redirect URI the app registers, for sign-in and connect alike. */
export const appCallbackUrl = (appBaseUrl: string): string => `${appBaseUrl.replace(/\/+$/, "")}/auth/callback`;

/**
 * Every grant type the sandbox client has. Token Vault and CIBA must be enabled per application at Auth0 too;
 * client_credentials is Auth0's "Client Credentials" grant type, on by default for a regular web application.
 */
export const CLIENT_GRANT_TYPES: readonly string[] = [
  "authorization_code",
  "refresh_token",
  CLIENT_CREDENTIALS_GRANT_TYPE,
  TOKEN_VAULT_GRANT_TYPE,
  CIBA_GRANT_TYPE,
];

/** oidc-provider's refusal of a grant type the client does not have (lib/actions/token.js). */
const GRANT_TYPE_NOT_ALLOWED = "requested grant type is not allowed for this client";

/**
 * Auth0 answers a grant type the application has not enabled with 403 `unauthorized_client` "Grant type '…' not
 * allowed for the client." (RFC 6749 §5.2's code for it); oidc-provider says `invalid_request`, which would read as
 * a malformed request. Client authentication runs first in both, so a wrong secret still answers 401.
 */
export function auth0GrantTypeRefusal() {
  return async (ctx: ProviderMiddlewareContext, next: () => Promise<void>): Promise<void> => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (ctx.oidc?.route !== "token" || body?.error !== "invalid_request" || body.error_description !== GRANT_TYPE_NOT_ALLOWED) return;
    ctx.status = 403;
    ctx.body = { error: "unauthorized_client", error_description: `Grant type '${String(ctx.oidc.params?.grant_type)}' not allowed for the client.` };
  };
}

export function providerConfiguration(options: ProviderConfigOptions): Configuration {
  const appBaseUrl = options.appBaseUrl.replace(/\/+$/, "");
  const grantTypes = [...(options.grantTypes ?? CLIENT_GRANT_TYPES)];
  return {
    adapter: options.adapter,
    jwks: options.jwks,
    cookies: { keys: options.cookieKeys },

    // Auth0's paths, so URLs in logs and app code look the same against either issuer, and so
    // userinfo leaves /me free for a My Account API emulation.
    routes: {
      authorization: "/authorize",
      token: "/oauth/token",
      userinfo: "/userinfo",
      jwks: "/.well-known/jwks.json",
      end_session: "/oidc/logout",
      revocation: "/oauth/revoke",
      pushed_authorization_request: "/oauth/par",
      backchannel_authentication: BACKCHANNEL_AUTHENTICATION_PATH,
    },

    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        client_name: "Delegate",
        // nextjs-auth0 authenticates with client_secret_post; oidc-provider defaults to basic.
        token_endpoint_auth_method: "client_secret_post",
        redirect_uris: [appCallbackUrl(appBaseUrl)],
        // nextjs-auth0 sends APP_BASE_URL verbatim as post_logout_redirect_uri, and the match is
        // exact, so accept it with and without the trailing slash.
        post_logout_redirect_uris: [appBaseUrl, `${appBaseUrl}/`],
        grant_types: grantTypes,
        response_types: ["code"],
        // The only CIBA mode Auth0 offers: the app polls the token endpoint.
        backchannel_token_delivery_mode: "poll",
      },
    ],
    responseTypes: ["code"],
    pkce: { required: () => true },

    claims: CLAIMS,
    // nextjs-auth0 builds session.user from the ID token alone and never calls userinfo.
    conformIdTokenClaims: false,
    findAccount: (ctx, sub) => {
      const user = findUserBySub(sub);
      if (!user) return undefined;
      const { avatarColor: _color, ...claims } = user;
      return { accountId: user.sub, claims: () => ({ ...claims, picture: new URL(user.picture, ctx.oidc.issuer).href }) };
    },

    // oidc-provider drops offline_access unless the request says prompt=consent, which
    // nextjs-auth0 never sends; Auth0 issues the refresh token anyway, so do the same. A CIBA
    // approval gets one only when the app asked for offline_access, as at Auth0.
    issueRefreshToken: (_ctx, client, source) =>
      client.grantTypeAllowed("refresh_token") &&
      (source.kind !== "BackchannelAuthenticationRequest" || source.scopes.has("offline_access")),
    // Token Vault needs a non-rotating refresh token, and the app keeps one for the session's life.
    rotateRefreshToken: false,
    // Without offline_access in the grant, tokens would otherwise die with the sandbox's browser
    // session; at Auth0 they outlive it until revoked.
    expiresWithSession: () => false,

    extraParams: {
      audience: null,
      connection: null,
      connection_scope: null,
      access_type: null,
      screen_hint: null,
      authorization_details: validateAuthorizationDetailsParam,
    },

    features: {
      ciba: options.ciba,
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // The only client is confidential, so a token may be revoked by the client it was issued to.
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        // Without one, oidc-provider would issue an opaque token for no API at all; Auth0 refuses.
        defaultResource: (ctx, _client, oneOf) => {
          if (isClientCredentialsRequest(ctx)) {
            throw new errors.InvalidTarget("the client_credentials grant needs an audience: the API the token is for");
          }
          return oneOf;
        },
        getResourceServerInfo: (ctx, indicator) => {
          if (isClientCredentialsRequest(ctx)) return clientGrantResourceServer(ctx, indicator, options.clientGrants);
          const known = Object.hasOwn(options.resourceServers, indicator);
          const info = known ? options.resourceServers[indicator] : undefined;
          if (!info) throw new errors.InvalidTarget(`no API is known by the audience ${indicator}`);
          return info;
        },
        // A CIBA poll cannot name a resource (Auth0's has no such parameter), so the access token is
        // for the audience the request named. Code exchanges keep their userinfo access token.
        useGrantedResource: (_ctx, source) => source.kind === "BackchannelAuthenticationRequest",
      },
    },

    // The app talks to the sandbox from its server only, so no browser origin needs CORS.
    clientBasedCORS: () => false,
    renderError,

    ttl: {
      // An API's own lifetime wins, as with Auth0's per-API token expiration.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 60 * 60,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      RefreshToken: 30 * DAY,
      Session: SESSION_TTL_SECONDS,
      // At least as long as the refresh token: a refresh fails once its grant is gone.
      Grant: 30 * DAY,
      BackchannelAuthenticationRequest: backchannelRequestTtl,
    },
  };
}
