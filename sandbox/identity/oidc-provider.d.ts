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
    grantTypeAllowed(grantType: string): boolean;
  }

  export interface KoaContextWithOIDC {
    type: string;
    status: number;
    body: unknown;
    /** Present on provider routes; a custom grant sees only the parameters it registered. */
    oidc: {
      params: Record<string, unknown>;
      client: Client;
    };
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
    extraParams?: string[];
    features?: {
      devInteractions?: { enabled: boolean };
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
        getResourceServerInfo?: (
          ctx: KoaContextWithOIDC,
          resourceIndicator: string,
          client: Client,
        ) => Promise<ResourceServerInfo> | ResourceServerInfo;
      };
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: KoaContextWithOIDC, form: string) => Promise<void> | void;
        postLogoutSuccessSource?: (ctx: KoaContextWithOIDC) => Promise<void> | void;
      };
    };
    findAccount?: (
      ctx: KoaContextWithOIDC,
      sub: string,
    ) => Promise<Account | undefined> | Account | undefined;
    issueRefreshToken?: (ctx: KoaContextWithOIDC, client: Client, code: unknown) => Promise<boolean> | boolean;
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
    | { consent: { grantId: string } };

  export interface Grant {
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (init: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly Grant: GrantConstructor;
    readonly RefreshToken: { find(value: string): Promise<StoredToken | undefined> };
    /** Finds opaque access tokens only; JWT access tokens are not stored. */
    readonly AccessToken: { find(value: string): Promise<StoredToken | undefined> };
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
    expose: boolean;
  }

  type DescribedError = new (description?: string) => OIDCProviderError;

  export const errors: {
    OIDCProviderError: abstract new (...args: never[]) => OIDCProviderError;
    InvalidRequest: DescribedError;
    InvalidGrant: DescribedError;
    InvalidTarget: DescribedError;
    SessionNotFound: DescribedError;
  };

  export default Provider;
}
