import { createServer } from "node:http";
import express from "express";
import { Provider } from "oidc-provider";
import { faultRoutes } from "../faults";
import { listen, requestLog } from "../http";
import { initialsAvatar, sandboxUsers } from "./users";
import { openFileAdapter } from "./adapter";
import { apiResourceServers, type ApiAudiences } from "./api-audiences";
import { AUTHENTICATOR_PATH } from "./authenticator-page";
import { authenticatorRoutes } from "./authenticator-routes";
import { BackchannelRequests } from "./backchannel-requests";
import {
  auth0CibaResponses,
  cibaFeature,
  DEFAULT_CIBA_INTERVAL_SECONDS,
  retainExpiredRequests,
} from "./ciba";
import { cibaPollThrottle, devicePollThrottle } from "./ciba-polling";
import { clientMetadataErrors, guardClientIdUrls, type ClientMetadataTestHosts } from "./client-id-metadata";
import type { CustomApiClient } from "./delegate-apis";
import { auth0DeviceResponses, DEFAULT_DEVICE_CODE_TTL_SECONDS, DEFAULT_DEVICE_INTERVAL_SECONDS } from "./device-flow";
import { ConnectedAccountStore } from "./connected-accounts";
import { connectedAccountsApi } from "./connected-accounts-api";
import { CONNECT_PAGE_PATH, connectRoutes } from "./connect-routes";
import { interactionRoutes } from "./interactions";
import { loadOrCreateCookieKeys, loadOrCreateSigningKeys, publicJwks } from "./keys";
import {
  createManagementApiTokenVerifier,
  managementApiAudience,
  managementApiResourceServer,
} from "./management-api";
import { managementUsersApi } from "./management-api-users";
import {
  createMyAccountTokenVerifier,
  MY_ACCOUNT_SCOPES,
  myAccountAudience,
  myAccountResourceServer,
} from "./my-account";
import { PendingConnects } from "./pending-connects";
import { appCallbackUrl, auth0GrantTypeRefusal, firstPartyClientIds, providerConfiguration } from "./provider-config";
import { createProviderTokenMinter } from "./provider-tokens";
import { registrationPolicy } from "./registration";
import { requestShims, type RefreshTokenPolicy } from "./request-shims";
import { TOKEN_VAULT_GRANT_TYPE, TOKEN_VAULT_PARAMETERS, tokenVaultGrant } from "./token-vault";

const PREFIX = "[sandbox:identity]";

export interface IdentityServerOptions {
  /** 0 picks a free port; the issuer then carries the port actually bound. */
  port: number;
  /** Interface to bind; the issuer always says `localhost`, which nextjs-auth0 requires for http. */
  host?: string;
  /** The app's origin, e.g. http://localhost:3000; its /auth/callback is the registered redirect URI. */
  appBaseUrl: string;
  /** Keys, cookie secrets and provider state live here, so a restart keeps everyone signed in. */
  dataDir: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of the provider access tokens Token Vault hands out; default 3600. Tests use a second or two. */
  providerTokenTtlSeconds?: number;
  /**
   * The CIBA polling interval: sent as `interval` from /bc-authorize, and a poll of the same request
   * sooner than this after the previous one gets `slow_down`. Default 5 (Auth0's); tests use 1.
   */
  cibaIntervalSeconds?: number;
  /**
   * The app's own APIs as resource servers, audience → the scopes and authorization_details types
   * registered on each (see api-audiences.ts). Their access tokens are JWTs
   * with `aud` = the audience, verifiable with the JWKS. CIBA requests name one with `audience`.
   */
  apiAudiences?: ApiAudiences;
  /**
   * The application's refresh-token policies (Auth0's `refresh_token.policies`, Multi-Resource Refresh
   * Token): which APIs and scopes its refresh tokens may mint access tokens for. Default: the My Account
   * API with its Connected Accounts scopes, which connecting accounts needs. `[]` is a tenant without
   * the policy: a refresh request for another audience gets the sign-in's own token back.
   * https://auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token
   */
  refreshTokenPolicies?: RefreshTokenPolicy[];
  /** The grant types the app's client may use (default: all the sandbox offers); tests turn some off. */
  grantTypes?: readonly string[];
  /**
   * Custom API Clients (Auth0: an application linked to an API, with the API's identifier), each allowed only
   * Token Vault's access-token exchange, for access tokens to its own API. Each audience must be in `apiAudiences`.
   */
  customApiClients?: readonly CustomApiClient[];
  /** The CLI's public application: Device Code and Refresh Token grants, no secret. None when unset. */
  cliClientId?: string;
  /** Audience → scopes the CLI's application may be granted (see ProviderConfigOptions.cliApis); nothing when unset. */
  cliApis?: Readonly<Record<string, readonly string[]>>;
  /** `interval` sent from /oauth/device/code, and the pace below which a poll gets `slow_down`. Default 5 (Auth0's). */
  deviceIntervalSeconds?: number;
  /** How long a device code lives. Default 900 (Auth0's); tests use a second or two. */
  deviceCodeTtlSeconds?: number;
  /**
   * Test only: https servers (`host:port`) that may serve Client ID Metadata Documents although they are on loopback,
   * and the CA of their self-signed certificate. Every other metadata document URL must be public (SSRF rules).
   */
  clientMetadataTestHosts?: ClientMetadataTestHosts;
  log?: (line: string) => void;
}

export interface IdentityServer {
  /** `http://localhost:<port>/`, with the trailing slash Auth0 issuers have. */
  issuer: string;
  close(): Promise<void>;
}

export async function startIdentityServer(options: IdentityServerOptions): Promise<IdentityServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const [jwks, cookieKeys, state, accounts] = await Promise.all([
    loadOrCreateSigningKeys(options.dataDir),
    loadOrCreateCookieKeys(options.dataDir),
    openFileAdapter(options.dataDir),
    ConnectedAccountStore.open(options.dataDir),
  ]);

  // The issuer must name the real port, which is only known once a port-0 listen has bound.
  const server = createServer();
  const port = await listen(server, options.port, options.host ?? "localhost");
  const issuer = `http://localhost:${port}/`;
  const clientId = options.clientId ?? "delegate-app";
  const clientSecret = options.clientSecret ?? "delegate-sandbox-secret";
  const meAudience = myAccountAudience(issuer);
  const managementAudience = managementApiAudience(issuer);
  const [signingKey] = jwks.keys;
  if (!signingKey) throw new Error(`no signing key in ${options.dataDir}`);
  const cibaIntervalSeconds = options.cibaIntervalSeconds ?? DEFAULT_CIBA_INTERVAL_SECONDS;
  if (!Number.isSafeInteger(cibaIntervalSeconds) || cibaIntervalSeconds < 1) {
    throw new Error("cibaIntervalSeconds must be a whole number of seconds, at least 1");
  }
  const apiAudiences = options.apiAudiences ?? {};
  if (Object.hasOwn(apiAudiences, meAudience)) throw new Error(`${meAudience} is the My Account API's audience`);
  if (Object.hasOwn(apiAudiences, managementAudience)) {
    throw new Error(`${managementAudience} is the Management API's audience`);
  }
  const refreshTokenPolicies = options.refreshTokenPolicies ?? [
    { audience: meAudience, scope: Object.values(MY_ACCOUNT_SCOPES) },
  ];
  const unknownAudience = refreshTokenPolicies.find(({ audience }) => audience !== meAudience && !Object.hasOwn(apiAudiences, audience));
  if (unknownAudience) {
    server.close();
    throw new Error(`refresh-token policy for ${unknownAudience.audience}: no API is known by that audience`);
  }
  const customApiClients = options.customApiClients ?? [];
  const unlinked = customApiClients.find(({ audience }) => !Object.hasOwn(apiAudiences, audience));
  if (unlinked) {
    server.close();
    throw new Error(`Custom API Client ${unlinked.clientId}: no API is known by the audience ${unlinked.audience}`);
  }
  const deviceIntervalSeconds = options.deviceIntervalSeconds ?? DEFAULT_DEVICE_INTERVAL_SECONDS;
  if (!Number.isSafeInteger(deviceIntervalSeconds) || deviceIntervalSeconds < 1) {
    server.close();
    throw new Error("deviceIntervalSeconds must be a whole number of seconds, at least 1");
  }
  const clientMetadataTestHosts = new Set(options.clientMetadataTestHosts?.hosts ?? []);
  const backchannelRequests = new BackchannelRequests();
  const resourceServers = { [meAudience]: myAccountResourceServer(issuer), ...apiResourceServers(apiAudiences) };
  const thirdPartyScopes = Object.fromEntries(
    Object.entries(apiAudiences).map(([audience, { thirdPartyScopes: scopes = [] }]) => [audience, scopes]),
  );

  const provider = new Provider(
    issuer,
    providerConfiguration({
      appBaseUrl: options.appBaseUrl,
      clientId,
      clientSecret,
      jwks,
      cookieKeys,
      adapter: (model) => {
        // Kept past expiry so a late poll is told expired_token (or Auth0's access_denied for CIBA), not invalid_grant.
        if (model === "BackchannelAuthenticationRequest" || model === "DeviceCode") return retainExpiredRequests(state.adapter(model));
        if (model === "Client") return guardClientIdUrls(state.adapter(model), clientMetadataTestHosts);
        return state.adapter(model);
      },
      resourceServers,
      clientGrants: { [managementAudience]: managementApiResourceServer(issuer) },
      grantTypes: options.grantTypes,
      thirdPartyScopes,
      customApiClients,
      cliClientId: options.cliClientId,
      cliApis: options.cliApis,
      deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? DEFAULT_DEVICE_CODE_TTL_SECONDS,
      clientMetadataTestHosts: options.clientMetadataTestHosts,
      ciba: cibaFeature({
        issuer,
        requests: backchannelRequests,
        apiAudiences,
        authenticatorUrl: new URL(AUTHENTICATOR_PATH, issuer).href,
        log,
      }),
    }),
  );
  provider.use(auth0CibaResponses({ intervalSeconds: cibaIntervalSeconds }));
  provider.use(auth0DeviceResponses({ intervalSeconds: deviceIntervalSeconds }));
  provider.use(auth0GrantTypeRefusal());
  provider.use(clientMetadataErrors());
  const logServerError = (error: unknown) =>
    log(`${PREFIX} server error: ${error instanceof Error ? error.message : String(error)}`);
  provider.on("server_error", (_ctx, error) => logServerError(error));

  // Registered before the first request: oidc-provider checks the client's grant_types lazily.
  const minter = await createProviderTokenMinter({
    issuer,
    signingKey,
    ttlSeconds: options.providerTokenTtlSeconds,
  });
  provider.registerGrantType(
    TOKEN_VAULT_GRANT_TYPE,
    tokenVaultGrant({
      provider,
      accounts,
      minter,
      issuer,
      jwks: publicJwks(jwks),
      customApiClients: new Map(customApiClients.map(({ clientId: id, audience }) => [id, audience])),
    }),
    TOKEN_VAULT_PARAMETERS,
  );

  const pending = new PendingConnects();
  const app = express();
  app.disable("x-powered-by");
  app.use(requestLog(PREFIX, log));
  app.get("/avatars/:file", (req, res) => {
    const user = sandboxUsers.find((u) => u.picture === `/avatars/${req.params.file}`);
    if (!user) return void res.status(404).end();
    res.type("image/svg+xml").set("cache-control", "public, max-age=86400").send(initialsAvatar(user));
  });
  app.use(
    requestShims({
      clientId,
      refreshTokenPolicies,
      grantedResourceScope: async (refreshToken, resource) => {
        const token = await provider.RefreshToken.find(refreshToken);
        const grant = token?.grantId ? await provider.Grant.find(token.grantId) : undefined;
        return grant?.getResourceScope(resource) ?? "";
      },
    }),
  );
  // After the shims, whose body parsing lets a fault match on form fields such as `connection`.
  app.use(faultRoutes());
  app.post(
    "/oauth/token",
    cibaPollThrottle({ provider, clientId, clientSecret, intervalSeconds: cibaIntervalSeconds }),
    ...(options.cliClientId
      ? [devicePollThrottle({ provider, clientId: options.cliClientId, intervalSeconds: deviceIntervalSeconds })]
      : []),
  );
  app.use(registrationPolicy());
  // RFC 8414 metadata, which MCP clients look for first (the MCP authorization spec), is the OpenID metadata:
  // oidc-provider's discovery already holds every RFC 8414 field, code_challenge_methods_supported ["S256"] included.
  app.get("/.well-known/oauth-authorization-server", (req, _res, next) => {
    req.url = "/.well-known/openid-configuration";
    next();
  });
  app.use(
    connectedAccountsApi({
      verifyToken: createMyAccountTokenVerifier({ issuer, clientId, jwks: publicJwks(jwks) }),
      accounts,
      pending,
      clientId,
      redirectUris: [appCallbackUrl(options.appBaseUrl)],
      connectUri: new URL(CONNECT_PAGE_PATH, issuer).href,
      audience: meAudience,
      onServerError: logServerError,
    }),
  );
  app.use(
    managementUsersApi({
      verifyToken: createManagementApiTokenVerifier({ issuer, jwks: publicJwks(jwks) }),
      audience: managementAudience,
      onServerError: logServerError,
    }),
  );
  app.use(connectRoutes({ pending, accounts, appName: "Delegate", onServerError: logServerError }));
  app.use(
    authenticatorRoutes({
      provider,
      cookieKeys,
      requests: backchannelRequests,
      apiAudiences,
      onServerError: logServerError,
    }),
  );
  app.use(
    interactionRoutes({
      provider,
      firstPartyClientIds: firstPartyClientIds({ clientId, customApiClients, cliClientId: options.cliClientId }),
      describeApi: (audience) => (Object.hasOwn(apiAudiences, audience) ? apiAudiences[audience] : undefined),
      onServerError: logServerError,
    }),
  );
  app.use(provider.callback());
  server.on("request", app);
  log(`${PREFIX} issuer ${issuer} (data in ${options.dataDir})`);

  return {
    issuer,
    async close() {
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await Promise.all([state.flush(), accounts.flush()]);
    },
  };
}
