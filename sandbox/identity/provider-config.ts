import {
  errors,
  type Adapter,
  type CibaFeature,
  type ClientMetadata,
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
import {
  clientIdMetadataDocumentFeature,
  documentFetch,
  MAX_DOCUMENT_BYTES,
  type ClientMetadataTestHosts,
} from "./client-id-metadata";
import type { CustomApiClient } from "./delegate-apis";
import {
  DEVICE_AUTHORIZATION_PATH,
  DEVICE_CODE_GRANT_TYPE,
  DEVICE_VERIFICATION_PATH,
  deviceFlowPages,
} from "./device-flow";
import { logoutSource, postLogoutSuccessSource, renderError } from "./provider-pages";
import { REGISTRATION_PATH } from "./registration";
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
  /** Audience → the scopes a third-party (registered) client may be granted there; see ApiRegistration. */
  thirdPartyScopes: Readonly<Record<string, readonly string[]>>;
  /** Custom API Clients, each linked to one of the app's APIs (Token Vault's access-token exchange). */
  customApiClients: readonly CustomApiClient[];
  /** The CLI's public application (device flow), when there is one. */
  cliClientId?: string;
  /**
   * Audience → the scopes the CLI's application is authorized for (Auth0: the API's *Application Access* for user
   * flows). Any other API is refused to it, so a device code someone tricks a user into confirming can never yield a
   * token for the shop, the My Account API or the MCP server.
   */
  cliApis?: Readonly<Record<string, readonly string[]>>;
  /** How long a device code lives; Auth0's is 900 s. */
  deviceCodeTtlSeconds: number;
  /** Test servers that may serve Client ID Metadata Documents from loopback, and the CA they use. */
  clientMetadataTestHosts?: ClientMetadataTestHosts;
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
/** The same refusal at /oauth/device/code (lib/actions/authorization/client.js). */
const DEVICE_GRANT_NOT_ALLOWED = `${DEVICE_CODE_GRANT_TYPE} is not allowed for this client`;

/**
 * Auth0 answers a grant type the application has not enabled with 403 `unauthorized_client` "Grant type '…' not
 * allowed for the client." (RFC 6749 §5.2's code for it), at the token endpoint and at /oauth/device/code alike;
 * oidc-provider says `invalid_request`, which would read as a malformed request. Client authentication runs first
 * in both, so a wrong secret still answers 401.
 */
export function auth0GrantTypeRefusal() {
  return async (ctx: ProviderMiddlewareContext, next: () => Promise<void>): Promise<void> => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (body?.error !== "invalid_request") return;
    const route = ctx.oidc?.route;
    let grantType: string;
    if (route === "token" && body.error_description === GRANT_TYPE_NOT_ALLOWED) grantType = String(ctx.oidc?.params?.grant_type);
    else if (route === "device_authorization" && body.error_description === DEVICE_GRANT_NOT_ALLOWED) grantType = DEVICE_CODE_GRANT_TYPE;
    else return;
    ctx.status = 403;
    ctx.body = { error: "unauthorized_client", error_description: `Grant type '${grantType}' not allowed for the client.` };
  };
}

/**
 * The applications configured on the tenant (the app, its Custom API Clients, the CLI) are first-party; only
 * dynamically registered ones and those identified by a metadata document are third-party, as Auth0 makes every
 * registered application (auth0.com/docs/get-started/applications/dynamic-client-registration) and every CIMD client
 * (auth0.com/docs/get-started/auth0-overview/create-applications/cimd-overview).
 */
export const firstPartyClientIds = (options: Pick<ProviderConfigOptions, "clientId" | "customApiClients" | "cliClientId">): ReadonlySet<string> =>
  new Set([options.clientId, ...options.customApiClients.map(({ clientId }) => clientId), ...(options.cliClientId ? [options.cliClientId] : [])]);

function customApiClient({ clientId, clientSecret, audience }: CustomApiClient): ClientMetadata {
  return {
    client_id: clientId,
    client_secret: clientSecret,
    client_name: `${audience} (Custom API Client)`,
    token_endpoint_auth_method: "client_secret_post",
    // A Custom API Client exists for Token Vault's access-token exchange and has no other grant.
    grant_types: [TOKEN_VAULT_GRANT_TYPE],
    response_types: [],
    redirect_uris: [],
  };
}

/** Auth0's "Native" application for the CLI: public (no secret), Device Code and Refresh Token grants. */
function cliClient(clientId: string): ClientMetadata {
  return {
    client_id: clientId,
    client_name: "Delegate CLI",
    application_type: "native",
    token_endpoint_auth_method: "none",
    grant_types: [DEVICE_CODE_GRANT_TYPE, "refresh_token"],
    response_types: [],
    redirect_uris: [],
  };
}

export function providerConfiguration(options: ProviderConfigOptions): Configuration {
  const appBaseUrl = options.appBaseUrl.replace(/\/+$/, "");
  const grantTypes = [...(options.grantTypes ?? CLIENT_GRANT_TYPES)];
  const firstParty = firstPartyClientIds(options);
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
      registration: REGISTRATION_PATH,
      // Auth0's device flow paths: the CLI asks at /oauth/device/code and the user goes to /activate.
      device_authorization: DEVICE_AUTHORIZATION_PATH,
      code_verification: DEVICE_VERIFICATION_PATH,
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
      ...options.customApiClients.map(customApiClient),
      ...(options.cliClientId ? [cliClient(options.cliClientId)] : []),
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
    // nextjs-auth0 never sends; Auth0 issues the app's sign-in a refresh token anyway, so do the same.
    // Everything else (a CIBA approval, the CLI's device code, a registered client's code) gets one only
    // when it asked for offline_access, as at Auth0 (auth0.com/docs/secure/tokens/refresh-tokens/get-refresh-tokens).
    issueRefreshToken: (_ctx, client, source) =>
      client.grantTypeAllowed("refresh_token") &&
      ((client.clientId === options.clientId && source.kind !== "BackchannelAuthenticationRequest") ||
        source.scopes.has("offline_access")),
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
      // A client_id that is an https URL names its own registration (client-id-metadata.ts).
      clientIdMetadataDocument: clientIdMetadataDocumentFeature(),
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      // RFC 8628 as Auth0 runs it: user codes of eight letters from a 20-letter alphabet in two groups.
      deviceFlow: { enabled: true, charset: "base-20", mask: "****-****", ...deviceFlowPages },
      // Open Dynamic Registration, which is what Auth0 offers once "OIDC Dynamic Application Registration" is on:
      // no initial access token, and no registration management endpoint (so no registration_access_token).
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: false },
      revocation: {
        enabled: true,
        // A token may be revoked by the client it was issued to, public clients included (RFC 7009 §2.1:
        // a public client identifies itself with client_id).
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
        getResourceServerInfo: (ctx, indicator, client) => {
          if (isClientCredentialsRequest(ctx)) return clientGrantResourceServer(ctx, indicator, options.clientGrants);
          const known = Object.hasOwn(options.resourceServers, indicator);
          const info = known ? options.resourceServers[indicator] : undefined;
          if (!info) throw new errors.InvalidTarget(`no API is known by the audience ${indicator}`);
          if (client.clientId === options.clientId) return info;
          if (client.clientId === options.cliClientId) {
            const granted = Object.hasOwn(options.cliApis ?? {}, indicator) ? options.cliApis![indicator]! : [];
            const scope = String(info.scope ?? "").split(" ").filter((offered) => granted.includes(offered));
            if (scope.length === 0) throw new errors.UnauthorizedClient(`the CLI's application is not authorized for ${indicator}`);
            return { ...info, scope: scope.join(" ") };
          }
          // A Custom API Client only takes part in Token Vault's exchange, never in a user's sign-in.
          if (firstParty.has(client.clientId)) throw new errors.UnauthorizedClient(`the client is not authorized for ${indicator}`);
          // A third-party application gets only what the API's default third-party grant allows, and no API without one.
          const allowed = Object.hasOwn(options.thirdPartyScopes, indicator) ? options.thirdPartyScopes[indicator] : undefined;
          if (!allowed?.length) throw new errors.UnauthorizedClient(`third-party applications have no access to ${indicator}`);
          return { ...info, scope: allowed.join(" ") };
        },
        // Auth0 names the API at /authorize (or /oauth/device/code, /bc-authorize) and the token request need not
        // repeat it: the access token is for that audience. A CIBA poll cannot name one at all. Only the app's own
        // code exchange keeps its userinfo access token, which its refresh-token policies rely on.
        useGrantedResource: (ctx, source) =>
          source.kind === "BackchannelAuthenticationRequest" || ctx.oidc.client.clientId !== options.clientId,
      },
    },

    // The app, its APIs and the CLI talk to the sandbox from servers and terminals, so no browser origin needs CORS
    // for them. A registered client may be a browser app (the MCP Inspector exchanges its code from the page), so its
    // own redirect URIs' origins may call the token and revocation endpoints, as an Auth0 SPA's Allowed Web Origins may.
    clientBasedCORS: (_ctx, origin, client) =>
      !firstParty.has(client.clientId) && (client.redirectUris ?? []).some((uri) => new URL(uri).origin === origin),
    renderError,
    fetch: documentFetch(options.clientMetadataTestHosts),
    fetchResponseBodyLimits: { "client_id metadata document": MAX_DOCUMENT_BYTES },

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
      DeviceCode: options.deviceCodeTtlSeconds,
    },
  };
}
