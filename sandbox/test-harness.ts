import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { NextRequest } from "next/server";
import { OpenFgaClient } from "@openfga/sdk";
import { runMigrations } from "../db/migrate";
import { ensureModel, ensureStore } from "../lib/fga/setup";
import { startFgaServer } from "./fga/server";
import { auth0App, connectAccount, signInWithSandbox, type SandboxSession } from "./identity/test-login";
import type { ApiRegistration } from "./identity/api-audiences";
import { CLI_CLIENT_ID, delegateApiSetup } from "./identity/delegate-apis";
import { startIdentityServer, type IdentityServerOptions } from "./identity/server";
import { startClientMetadataHost, type ClientMetadataHost } from "./identity/test-client-metadata-host";
import {
  approveDeviceCode,
  authorizeWithPkce,
  registerClient,
  type ClientMetadata,
  type DeviceApproval,
  type PkceAuthorization,
  type PkceAuthorizationOptions,
  type RegisteredClient,
} from "./identity/test-oauth";
import { startModelServer } from "./model/server";
import { startProviderApis } from "./providers/server";
import { SHOP_API_REGISTRATION } from "./shop/api";
import { startShopApi } from "./shop/server";
import { startSandboxPostgres } from "./postgres/server";

/**
 * The sandbox as integration tests use it: every service on a random port, the app's environment pointing
 * at them, and helpers that sign users in and connect their accounts through nextjs-auth0's real routes.
 */
export interface SandboxHarness {
  auth0: Auth0Client;
  issuer: string;
  databaseUrl: string;
  shopUrl: string;
  /**
   * Every request the identity server, the provider APIs and the shop answered, as their request logs print it
   * ("[sandbox:providers] GET /google/calendar/v3/... 200 3ms"): what reached them, for tests that expect nothing did.
   */
  served: string[];
  signIn(email: string): Promise<SignedInUser>;
  connect(user: SignedInUser, connection: string, scopes: string[], decision?: "allow" | "cancel"): Promise<void>;
  /** A provider token straight from the Token Vault grant, for tests that inspect the provider's side. */
  providerToken(user: SignedInUser, connection: string): Promise<string>;
  /** AUTH0_MCP_AUDIENCE: the MCP server's resource identifier (`http://localhost:3000/mcp`). */
  mcpAudience: string;
  /** AUTH0_API_AUDIENCE: the chat API's (`http://localhost:3000/api`). */
  chatApiAudience: string;
  /** AUTH0_MCP_CLIENT_ID / AUTH0_MCP_CLIENT_SECRET: the MCP API's Custom API Client. */
  mcpApiClient: { clientId: string; clientSecret: string };
  /** AUTH0_API_CLIENT_ID / AUTH0_API_CLIENT_SECRET: the chat API's Custom API Client. */
  chatApiClient: { clientId: string; clientSecret: string };
  /** AUTH0_CLI_CLIENT_ID: the CLI's public application (device flow). */
  cliClientId: string;
  /** An https site on localhost the identity server trusts, where a test publishes Client ID Metadata Documents. */
  clientMetadataHost: ClientMetadataHost;
  /** Dynamic Client Registration at /oidc/register; throws with the server's error when it refuses. */
  registerClient(metadata: ClientMetadata): Promise<RegisteredClient>;
  /** A code flow with PKCE through the real /authorize, login and consent pages, then the code exchange. */
  authorizeWithPkce(options: PkceAuthorizationOptions): Promise<PkceAuthorization>;
  /** The user's side of the device flow on /activate: confirm (signing in as `email`) or deny the code. */
  approveDeviceCode(userCode: string, email: string, decision?: "confirm" | "deny"): Promise<DeviceApproval>;
  stopIdentity(): Promise<void>;
  close(): Promise<void>;
}

export interface SignedInUser {
  sub: string;
  name: string;
  email: string;
  /** The identity server's `email_verified` claim, as the app's session reads it. */
  emailVerified: boolean;
  refreshToken: string;
  session: SandboxSession;
}

const APP_BASE_URL = "http://localhost:3000";
const SHOP_AUDIENCE = "urn:delegate-sandbox:shop";

export interface SandboxHarnessOptions {
  /** The shop's API as registered at the identity server; a test leaves something out to see the refusal. */
  shopApiRegistration?: ApiRegistration;
  /** The identity server's refresh-token policies; default: the My Account API's (see IdentityServerOptions). */
  refreshTokenPolicies?: IdentityServerOptions["refreshTokenPolicies"];
}

export async function startSandboxHarness(options: SandboxHarnessOptions = {}): Promise<SandboxHarness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-harness-"));
  const quiet = () => {};
  const served: string[] = [];
  const serve = (line: string) => void served.push(line);
  const postgres = await startSandboxPostgres({ port: 0 });
  await runMigrations(postgres.url);
  const { apis, mcpApiClient, chatApiClient, identityOptions, env: apiEnv } = delegateApiSetup({
    mcpAudience: `${APP_BASE_URL}/mcp`,
    chatApiAudience: `${APP_BASE_URL}/api`,
    mcpClientSecret: "delegate-sandbox-mcp-api-secret",
    chatClientSecret: "delegate-sandbox-chat-api-secret",
  });
  const clientMetadataHost = await startClientMetadataHost();
  const identity = await startIdentityServer({
    port: 0,
    appBaseUrl: APP_BASE_URL,
    dataDir,
    apiAudiences: { [SHOP_AUDIENCE]: options.shopApiRegistration ?? SHOP_API_REGISTRATION, ...apis.apiAudiences },
    ...identityOptions,
    // The CLI's poll interval; one second keeps device-flow tests short.
    deviceIntervalSeconds: 1,
    cibaIntervalSeconds: 1,
    refreshTokenPolicies: options.refreshTokenPolicies,
    clientMetadataTestHosts: clientMetadataHost.testHosts,
    log: serve,
  });
  const providers = await startProviderApis({ port: 0, issuer: identity.issuer, log: serve });
  const shop = await startShopApi({ port: 0, issuer: identity.issuer, audience: SHOP_AUDIENCE, log: serve });
  const model = await startModelServer({ port: 0, chunkDelayMs: 0 });
  const fga = await startFgaServer({ port: 0, databaseUrl: postgres.url, log: quiet });
  const { storeId } = await ensureStore(fga.url, "delegate-tests");
  const { modelId } = await ensureModel(new OpenFgaClient({ apiUrl: fga.url, storeId }));
  const env = {
    AUTH0_DOMAIN: identity.issuer.replace(/\/$/, ""),
    AUTH0_CLIENT_ID: "delegate-app",
    AUTH0_CLIENT_SECRET: "delegate-sandbox-secret",
    AUTH0_SECRET: "9d2f6b1e8c4a7035e1b9f2d6c8a40e57b3c9d1f0a6e2847b5c3d9e1f07a2b6c4",
    APP_BASE_URL,
    DATABASE_URL: postgres.url,
    OPENAI_API_KEY: "sandbox",
    OPENAI_BASE_URL: model.baseURL,
    OPENAI_MODEL: "delegate-sandbox",
    GOOGLE_API_URL: providers.baseUrls.google,
    GITHUB_API_URL: providers.baseUrls.github,
    SLACK_API_URL: providers.baseUrls.slack,
    SHOP_API_URL: shop.url,
    FGA_API_URL: fga.url,
    FGA_STORE_ID: storeId,
    // Pinned, as README advises for a deployment: a listing trusted by FGA's changelog needs the model not to change.
    FGA_MODEL_ID: modelId,
    SHOP_API_AUDIENCE: SHOP_AUDIENCE,
    ASYNC_AUTHORIZATION_APPROVAL_URL: `${identity.issuer}authenticator`,
    ...apiEnv,
  };
  Object.assign(process.env, env);
  const auth0 = new Auth0Client({
    domain: env.AUTH0_DOMAIN,
    clientId: env.AUTH0_CLIENT_ID,
    clientSecret: env.AUTH0_CLIENT_SECRET,
    secret: env.AUTH0_SECRET,
    appBaseUrl: APP_BASE_URL,
    allowInsecureRequests: true,
    enableConnectAccountEndpoint: true,
  });
  const app = auth0App(auth0);
  let identityRunning = true;

  return {
    auth0,
    issuer: identity.issuer,
    databaseUrl: postgres.url,
    shopUrl: shop.url,
    served,
    async signIn(email) {
      const session = await signInWithSandbox(app, { email, appBaseUrl: APP_BASE_URL });
      const data = await auth0.getSession(new NextRequest(APP_BASE_URL, { headers: { cookie: session.appCookie } }));
      if (!data?.tokenSet.refreshToken) throw new Error(`no refresh token for ${email}`);
      const { sub, name = email, email_verified } = data.user;
      return { sub, name, email, emailVerified: email_verified === true, refreshToken: data.tokenSet.refreshToken, session };
    },
    async connect(user, connection, scopes, decision = "allow") {
      await connectAccount(app, user.session, { connection, scopes, decision, returnTo: "/done", appBaseUrl: APP_BASE_URL });
    },
    async providerToken(user, connection) {
      const response = await fetch(`${identity.issuer}oauth/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token",
          subject_token_type: "urn:ietf:params:oauth:token-type:refresh_token",
          subject_token: user.refreshToken,
          requested_token_type: "http://auth0.com/oauth/token-type/federated-connection-access-token",
          connection,
          client_id: env.AUTH0_CLIENT_ID,
          client_secret: env.AUTH0_CLIENT_SECRET,
        }),
      });
      if (!response.ok) throw new Error(`Token Vault exchange failed: HTTP ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    mcpAudience: apis.mcpAudience,
    chatApiAudience: apis.chatApiAudience,
    mcpApiClient,
    chatApiClient,
    cliClientId: CLI_CLIENT_ID,
    clientMetadataHost,
    registerClient: (metadata) => registerClient(identity.issuer, metadata),
    authorizeWithPkce: (authorization) => authorizeWithPkce(identity.issuer, authorization),
    approveDeviceCode: (userCode, email, decision) => approveDeviceCode(identity.issuer, userCode, email, decision),
    async stopIdentity() {
      identityRunning = false;
      await identity.close();
    },
    async close() {
      await Promise.allSettled([
        fga.close(),
        model.close(),
        providers.close(),
        shop.close(),
        identityRunning ? identity.close() : undefined,
        clientMetadataHost.close(),
        postgres.close(),
      ]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The sandbox FGA alone, on a test's database, with a store holding Delegate's model: for route tests that configure
 * the rest themselves (configureModelAndDatabase) and run tools, whose permission the pipeline asks FGA.
 */
export async function startPermissionService(databaseUrl: string) {
  const server = await startFgaServer({ port: 0, databaseUrl, log: () => {} });
  const { storeId } = await ensureStore(server.url, "delegate-tests");
  const { modelId } = await ensureModel(new OpenFgaClient({ apiUrl: server.url, storeId }));
  return { url: server.url, storeId, modelId, close: server.close };
}
