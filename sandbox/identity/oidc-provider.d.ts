// oidc-provider ships no type declarations. These cover only the surface the sandbox identity
// server uses; swap them for @types/oidc-provider if that package is ever added.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  export interface AdapterPayload {
    [key: string]: unknown;
    jti?: string;
    uid?: string;
    userCode?: string;
    grantId?: string;
    consumed?: number;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export interface ClientMetadata {
    [key: string]: unknown;
    client_id: string;
    client_secret?: string;
    redirect_uris?: string[];
    post_logout_redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
  }

  export interface Client {
    clientId: string;
    clientName?: string;
    redirectUris?: string[];
    grantTypes?: string[];
    responseTypes?: string[];
    applicationType?: string;
    tokenEndpointAuthMethod?: string;
    /** True for a client resolved from its Client ID Metadata Document (its client_id is the document's URL). */
    readonly clientIdMetadataDocument?: boolean;
    grantTypeAllowed(grantType: string): boolean;
  }

  export interface KoaContextWithOIDC {
    type: string;
    status: number;
    body: unknown;
    /** Present on provider routes; a custom grant sees only the parameters it registered. */
    oidc: {
      params: Record<string, unknown>;
      /** The issuer identifier, with its trailing slash. */
      issuer: string;
      client: Client;
      /** The provider route being served, e.g. "token" or "backchannel_authentication". */
      route?: string;
      /** An absolute URL of one of the provider's routes, e.g. `urlFor("code_verification")`. */
      urlFor(route: string, options?: Record<string, unknown>): string;
      entities: { BackchannelAuthenticationRequest?: BackchannelAuthenticationRequest };
    };
  }

  /** What `provider.use()` middleware sees: every request, including ones no provider route serves. */
  export interface ProviderMiddlewareContext {
    status: number;
    body: unknown;
    set(field: string, value: string): void;
    oidc?: Partial<KoaContextWithOIDC["oidc"]>;
  }

  /** A Koa context over a plain Node request and response; signed cookies use `cookies.keys`. */
  export interface BareKoaContext {
    cookies: {
      get(name: string): string | undefined;
      set(name: string, value: string | null, options?: Record<string, unknown>): void;
    };
  }

  /** A pending or answered CIBA request, as stored; its `jti` is the `auth_req_id`. */
  export interface BackchannelAuthenticationRequest {
    readonly kind: "BackchannelAuthenticationRequest";
    jti: string;
    accountId: string;
    clientId: string;
    scope: string;
    readonly scopes: Set<string>;
    /** The resource (audience) the access token will be for, when one was requested. */
    resource?: string | string[];
    /** The request's parameters as received, including extra parameters. */
    params: Record<string, unknown>;
    /** Seconds the request has left to live, as `expires_in` says. */
    readonly expiration: number;
    consumed?: number;
    grantId?: string;
    error?: string;
    readonly isExpired: boolean;
  }

  export interface Session {
    readonly uid: string;
    readonly id: string;
    accountId?: string;
    exp?: number;
    readonly new?: boolean;
    loginAccount(details: { accountId: string; loginTs?: number }): void;
    save(ttlSeconds: number): Promise<string>;
    destroy(): Promise<void>;
  }

  export interface CibaFeature {
    enabled: boolean;
    deliveryModes?: string[];
    processLoginHint?: (ctx: KoaContextWithOIDC, loginHint: string) => Promise<string | undefined> | string | undefined;
    processLoginHintToken?: (ctx: KoaContextWithOIDC, loginHintToken: string) => Promise<string | undefined> | string | undefined;
    validateBindingMessage?: (ctx: KoaContextWithOIDC, bindingMessage: string | undefined) => Promise<void> | void;
    validateRequestContext?: (ctx: KoaContextWithOIDC, requestContext: string | undefined) => Promise<void> | void;
    verifyUserCode?: (ctx: KoaContextWithOIDC, account: Account, userCode: string | undefined) => Promise<void> | void;
    triggerAuthenticationDevice?: (
      ctx: KoaContextWithOIDC,
      request: BackchannelAuthenticationRequest,
      account: Account,
      client: Client,
    ) => Promise<void> | void;
  }

  export interface ErrorOut {
    error: string;
    error_description?: string;
  }

  export interface JWK {
    [key: string]: unknown;
    kty: string;
    kid?: string;
  }

  export interface ResourceServerInfo {
    scope: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: "opaque" | "jwt";
  }

  /** The parts of a stored access or refresh token the sandbox reads. */
  export interface StoredToken {
    accountId: string;
    clientId: string;
    grantId?: string;
    consumed?: number;
    readonly isExpired: boolean;
  }

  export interface Configuration {
    adapter?: (name: string) => Adapter;
    claims?: Record<string, string[] | null>;
    clientBasedCORS?: (ctx: KoaContextWithOIDC, origin: string, client: Client) => boolean;
    clients?: ClientMetadata[];
    conformIdTokenClaims?: boolean;
    cookies?: { keys?: string[] };
    expiresWithSession?: (ctx: KoaContextWithOIDC, token: unknown) => Promise<boolean> | boolean;
    /** Names alone, or names mapped to a validator (null for none) run at the authorization endpoints. */
    extraParams?:
      | string[]
      | Record<string, ((ctx: KoaContextWithOIDC, value: unknown, client: Client) => Promise<void> | void) | null>;
    features?: {
      ciba?: CibaFeature;
      clientCredentials?: { enabled: boolean };
      devInteractions?: { enabled: boolean };
      deviceFlow?: {
        enabled: boolean;
        charset?: "base-20" | "digits";
        mask?: string;
        userCodeInputSource?: (ctx: KoaContextWithOIDC, form: string, out?: unknown, error?: Error) => Promise<void>;
        userCodeConfirmSource?: (
          ctx: KoaContextWithOIDC,
          form: string,
          client: Client,
          deviceInfo: unknown,
          userCode: string,
        ) => Promise<void>;
        successSource?: (ctx: KoaContextWithOIDC) => Promise<void>;
      };
      /** Experimental in oidc-provider 9: `ack` must name the draft revision it implements. */
      clientIdMetadataDocument?: {
        enabled: boolean;
        ack?: string;
        /** Whether to fetch the document at this client_id (a URL oidc-provider already accepts). */
        allowFetch?: (ctx: KoaContextWithOIDC | undefined, clientId: string) => Promise<boolean> | boolean;
        /** Whether the client the document describes may be used; may throw an OAuth error instead. */
        allowClient?: (ctx: KoaContextWithOIDC | undefined, client: Client) => Promise<boolean> | boolean;
        /** Bounds, in seconds, on how long a document is cached after its HTTP caching headers. */
        cacheDuration?: { min: number; max: number };
      };
      registration?: { enabled: boolean; initialAccessToken?: boolean | string; issueRegistrationAccessToken?: boolean };
      revocation?: {
        enabled: boolean;
        allowedPolicy?: (
          ctx: KoaContextWithOIDC,
          client: Client,
          token: { clientId: string },
        ) => Promise<boolean> | boolean;
      };
      resourceIndicators?: {
        enabled: boolean;
        /** The resource of a request that names none; `oneOf` is the one its grant source was for, if any. */
        defaultResource?: (
          ctx: KoaContextWithOIDC,
          client: Client,
          oneOf?: string | string[],
        ) => Promise<string | string[] | undefined> | string | string[] | undefined;
        getResourceServerInfo?: (
          ctx: KoaContextWithOIDC,
          resourceIndicator: string,
          client: Client,
        ) => Promise<ResourceServerInfo> | ResourceServerInfo;
        /** Whether a token request without `resource` gets the resource its grant source was for. */
        useGrantedResource?: (ctx: KoaContextWithOIDC, source: { kind: string }) => Promise<boolean> | boolean;
      };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: KoaContextWithOIDC, form: string) => Promise<void> | void;
        postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => Promise<void> | void;
      };
    };
    /**
     * How the provider fetches documents (metadata documents, jwks_uri). `init` carries its own timeout signal,
     * `redirect: "manual"` and an undici `dispatcher` that refuses special-use IP addresses.
     */
    fetch?: (url: string, init: RequestInit) => Promise<Response>;
    /** Byte limits on fetched documents, by purpose, e.g. "client_id metadata document". */
    fetchResponseBodyLimits?: Record<string, number>;
    findAccount?: (
      ctx: KoaContextWithOIDC,
      sub: string,
    ) => Promise<Account | undefined> | Account | undefined;
    /** `source` is what the tokens are issued from: an authorization code, a CIBA request, a refresh token. */
    issueRefreshToken?: (
      ctx: KoaContextWithOIDC,
      client: Client,
      source: { kind: string; readonly scopes: Set<string> },
    ) => Promise<boolean> | boolean;
    jwks?: { keys: JWK[] };
    pkce?: { required?: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    renderError?: (ctx: KoaContextWithOIDC, out: ErrorOut, error: Error) => Promise<void> | void;
    responseTypes?: string[];
    rotateRefreshToken?: boolean | ((ctx: KoaContextWithOIDC) => boolean);
    routes?: Record<string, string>;
    ttl?: Record<
      string,
      number | ((ctx: KoaContextWithOIDC, token: { resourceServer?: { accessTokenTTL?: number } }) => number)
    >;
  }

  export interface PromptDetails {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  }

  export interface Interaction {
    uid: string;
    prompt: { name: string; reasons: string[]; details: PromptDetails };
    params: Record<string, unknown> & { client_id: string };
    session?: { accountId: string };
    grantId?: string;
  }

  export type InteractionResults =
    | { login: { accountId: string } }
    | { consent: { grantId: string } }
    /** Ends the interaction with an OAuth error sent to the client (e.g. access_denied). */
    | { error: string; error_description?: string };

  export interface Grant {
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    /** The scopes granted for an API, space-separated; "" when the grant has none for it. */
    getResourceScope(resource: string): string;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (init: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly Grant: GrantConstructor;
    readonly Session: {
      new (): Session;
      /** The session the request's cookie names; a new, unsaved one when there is none. */
      get(ctx: BareKoaContext): Promise<Session>;
    };
    readonly BackchannelAuthenticationRequest: {
      find(id: string, options?: { ignoreExpiration?: boolean }): Promise<BackchannelAuthenticationRequest | undefined>;
    };
    /** Records the user's answer to a CIBA request: a saved grant's id, or an error such as AccessDenied. */
    backchannelResult(authReqId: string, result: string | OIDCProviderError): Promise<void>;
    cookieName(type: "session" | "interaction" | "resume"): string;
    createContext(req: IncomingMessage, res: ServerResponse): BareKoaContext;
    use(middleware: (ctx: ProviderMiddlewareContext, next: () => Promise<void>) => Promise<void>): this;
    readonly RefreshToken: { find(value: string): Promise<StoredToken | undefined> };
    readonly DeviceCode: {
      find(value: string, options?: { ignoreExpiration?: boolean }): Promise<StoredToken | undefined>;
    };
    readonly Client: { find(clientId: string): Promise<Client | undefined> };
    registerGrantType(
      name: string,
      handler: (ctx: KoaContextWithOIDC) => Promise<void>,
      parameters?: string[],
      allowedDuplicateParameters?: string[],
    ): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: "server_error", listener: (ctx: KoaContextWithOIDC, error: Error) => void): this;
  }

  export interface OIDCProviderError extends Error {
    status: number;
    error: string;
    error_description?: string;
    /** What went wrong in more detail; oidc-provider never sends it to the client. */
    error_detail?: string;
    expose: boolean;
  }

  type DescribedError = new (description?: string) => OIDCProviderError;

  export const errors: {
    OIDCProviderError: abstract new (...args: never[]) => OIDCProviderError;
    AccessDenied: DescribedError;
    InvalidBindingMessage: DescribedError;
    InvalidClient: DescribedError;
    InvalidAuthorizationDetails: DescribedError;
    InvalidRequest: DescribedError;
    /** `scope` names the offending scope(s). */
    InvalidScope: new (description: string, scope: string) => OIDCProviderError;
    InvalidGrant: DescribedError;
    InvalidTarget: DescribedError;
    SessionNotFound: DescribedError;
    UnauthorizedClient: DescribedError;
  };

  export default Provider;
}
