import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { OpenFgaClient } from "@openfga/sdk";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, type Config } from "@/lib/config";
import { loadAuthorizationModel } from "@/lib/fga/model";
import { ensureStore } from "@/lib/fga/setup";
import { injectFault } from "@/sandbox/faults";
import { startIdentityServer, type IdentityServer, type IdentityServerOptions } from "@/sandbox/identity/server";
import { auth0App, signInWithSandbox } from "@/sandbox/identity/test-login";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { startSandboxHarness, type SandboxHarness } from "@/sandbox/test-harness";
import type { CheckResult } from "./check";
import { anyFailed, formatReport } from "./print";
import { runDoctor } from "./run";
import { delegateApiSetup } from "@/sandbox/identity/delegate-apis";

/**
 * `npm run doctor` against the sandbox: every line passes when it is configured right, and each stand-in
 * configured wrong makes the line that checks it fail with a message and a fix a deployer can act on.
 */
const APP_BASE_URL = "http://localhost:3000";
const SANDBOX_SECRET = "delegate-sandbox-secret";
const TOKEN_VAULT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const CIBA = "urn:openid:params:grant-type:ciba";

let harness: SandboxHarness;
let config: Config;
let aliceRefreshToken: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  harness = await startSandboxHarness();
  // The harness sets the app's environment; `npm run dev` also names the sandbox's embedding model.
  config = parseConfig({ ...process.env, OPENAI_EMBEDDING_MODEL: "delegate-sandbox-embedding" });
  aliceRefreshToken = (await harness.signIn("alice@example.com")).refreshToken;
});

afterAll(async () => {
  await Promise.allSettled(cleanups.map((cleanup) => cleanup()));
  await harness?.close();
});

const line = (results: CheckResult[], title: string): CheckResult => {
  const found = results.find((result) => result.title === title);
  if (!found) throw new Error(`no line "${title}" in:\n${formatReport(results)}`);
  return found;
};

const failures = (results: CheckResult[]) => results.filter((result) => result.status === "fail").map((result) => result.title);

/**
 * The identity server's refresh-token policies (issue 9, point 1: a helper adds this option to
 * `startIdentityServer`; `[]` means none, so the My Account API is refused to refresh tokens).
 */
interface RefreshTokenPolicyOption {
  refreshTokenPolicies?: { audience: string; scope: string[] }[];
}

/** Another identity server, as `startIdentityServer` takes it, for one misconfiguration. */
async function identityServer(options: Partial<IdentityServerOptions> & RefreshTokenPolicyOption): Promise<IdentityServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-doctor-"));
  // Delegate's own APIs and their clients as the harness has them, so only the misconfiguration under test differs.
  const { apis, identityOptions } = delegateApiSetup({
    mcpAudience: harness.mcpAudience,
    chatApiAudience: harness.chatApiAudience,
    mcpClientSecret: harness.mcpApiClient.clientSecret,
    chatClientSecret: harness.chatApiClient.clientSecret,
  });
  const server = await startIdentityServer({ port: 0, appBaseUrl: APP_BASE_URL, dataDir, log: () => {}, apiAudiences: apis.apiAudiences, ...identityOptions, ...options });
  cleanups.push(async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return server;
}

/** Alice's refresh token from a sign-in through nextjs-auth0 against `issuer`. */
async function signIn(issuer: string): Promise<string> {
  const auth0 = new Auth0Client({
    domain: issuer.replace(/\/$/, ""),
    clientId: "delegate-app",
    clientSecret: SANDBOX_SECRET,
    secret: config.AUTH0_SECRET,
    appBaseUrl: APP_BASE_URL,
    allowInsecureRequests: true,
  });
  const session = await signInWithSandbox(auth0App(auth0), { email: "alice@example.com", appBaseUrl: APP_BASE_URL });
  const data = await auth0.getSession(new NextRequest(APP_BASE_URL, { headers: { cookie: session.appCookie } }));
  if (!data?.tokenSet.refreshToken) throw new Error("no refresh token");
  return data.tokenSet.refreshToken;
}

/** A port nothing listens on (fetch refuses some well-known ones outright, so not one of those). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no port");
  return address.port;
}

describe("npm run doctor against a correctly configured sandbox", () => {
  it("passes every line, and says which accounts a signed-in user has connected", async () => {
    const bob = await harness.signIn("bob@example.com");
    await harness.connect(bob, "github", ["repo"]);

    const results = await runDoctor({ config, refreshToken: bob.refreshToken });

    expect(results.map((result) => result.title)).toEqual([
      "Issuer discovery",
      "Client ID and secret",
      "Refresh Token grant",
      "Token Vault grant",
      "CIBA grant",
      "Refresh-token policy for the My Account API",
      "Management API access (read:users)",
      "MCP API: Custom API Client for Token Vault",
      "Chat API: Custom API Client for Token Vault",
      "Terminal sign-in (device flow)",
      "FGA store and credentials",
      "FGA authorization model",
      "Postgres reachable",
      "pgvector ≥ 0.8",
      "Database migrations applied",
      "Model endpoint and chat model",
      "Embedding dimensions",
      "Shop API (purchases with CIBA)",
    ]);
    expect(failures(results), formatReport(results)).toEqual([]);
    expect(results.every((result) => result.status === "pass"), formatReport(results)).toBe(true);
    expect(line(results, "Refresh-token policy for the My Account API").detail).toContain("connected accounts: github");
    expect(line(results, "Embedding dimensions").detail).toContain("1536 dimensions");
    expect(anyFailed(results)).toBe(false);
  });

  it("without DOCTOR_REFRESH_TOKEN, says the refresh-token policy was not checked and how to check it", async () => {
    const results = await runDoctor({ config });
    const policy = line(results, "Refresh-token policy for the My Account API");
    expect(policy.status).toBe("skip");
    expect(policy.detail).toContain("DOCTOR_REFRESH_TOKEN");
    expect(policy.fix).toContain(`${harness.issuer}me/`);
    expect(policy.fix).toContain("read:me:connected_accounts");
    expect(anyFailed(results)).toBe(false);
  });

  it("`npm run doctor` exits 0 and prints no secret or token", { timeout: 150_000 }, async () => {
    // An empty data dir: no `npm run dev` sandbox settings to fall back on, only the harness's environment.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-doctor-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/doctor.ts"], {
      cwd: process.cwd(),
      env: { ...process.env, OPENAI_EMBEDDING_MODEL: "delegate-sandbox-embedding", DOCTOR_REFRESH_TOKEN: aliceRefreshToken, DELEGATE_DATA_DIR: dataDir },
      timeout: 120_000,
    });
    expect(stdout).toContain("✓ Issuer discovery");
    expect(stdout).toContain("18 passed, 0 failed, 0 not checked.");
    for (const secret of [SANDBOX_SECRET, aliceRefreshToken, config.AUTH0_SECRET]) expect(stdout).not.toContain(secret);
  });
});

describe("npm run doctor against stand-ins configured wrong", () => {
  it("an unreachable issuer: discovery fails, naming AUTH0_DOMAIN, and everything that needs it is not checked", async () => {
    const results = await runDoctor({ config: { ...config, AUTH0_DOMAIN: `http://localhost:${await closedPort()}` } });
    const discovery = line(results, "Issuer discovery");
    expect(discovery.status).toBe("fail");
    expect(discovery.detail).toContain("could not be reached: connection refused");
    expect(discovery.fix).toContain("AUTH0_DOMAIN");
    expect(line(results, "Token Vault grant")).toMatchObject({ status: "skip", detail: 'not checked: "Issuer discovery" failed' });
    expect(failures(results)).toEqual(["Issuer discovery"]);
  });

  it("a wrong client secret: the credentials line fails, says which settings to copy from where, and never prints the secret", async () => {
    const wrongSecret = "not-the-secret-0123456789";
    const results = await runDoctor({ config: { ...config, AUTH0_CLIENT_SECRET: wrongSecret }, refreshToken: aliceRefreshToken });
    const credentials = line(results, "Client ID and secret");
    expect(credentials.status).toBe("fail");
    expect(credentials.detail).toContain("refused AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET");
    expect(credentials.fix).toContain("AUTH0_CLIENT_SECRET");
    expect(credentials.fix).toContain("Applications → Applications → your application → Settings");
    for (const title of ["Refresh Token grant", "Token Vault grant", "CIBA grant", "Management API access (read:users)", "Shop API (purchases with CIBA)"]) {
      expect(line(results, title)).toMatchObject({ status: "skip", detail: 'not checked: "Client ID and secret" failed' });
    }
    const report = formatReport(results);
    expect(report).not.toContain(wrongSecret);
    expect(report).not.toContain(aliceRefreshToken);
  });

  it("an application without the Token Vault and CIBA grants: each fails naming the Grant Types switch, and purchases are not checked", async () => {
    const issuer = (await identityServer({ grantTypes: ["authorization_code", "refresh_token", "client_credentials"] })).issuer;
    const results = await runDoctor({ config: { ...config, AUTH0_DOMAIN: issuer.replace(/\/$/, ""), AUTH0_CLIENT_SECRET: SANDBOX_SECRET } });

    expect(failures(results)).toEqual(["Token Vault grant", "CIBA grant"]);
    const tokenVault = line(results, "Token Vault grant");
    expect(tokenVault.detail).toBe("not enabled for this application, so no tool can call Google, GitHub or Slack for the user");
    expect(tokenVault.fix).toContain('Tick "Token Vault" in Auth0 Dashboard → Applications → Applications → your application → Settings → Advanced Settings → Grant Types');
    expect(tokenVault.fix).toContain("https://auth0.com/docs/secure/tokens/token-vault/configure-token-vault");
    expect(line(results, "CIBA grant").fix).toContain('Tick "Client Initiated Backchannel Authentication (CIBA)"');
    expect(line(results, "Refresh Token grant").status).toBe("pass");
    expect(line(results, "Shop API (purchases with CIBA)")).toMatchObject({ status: "skip", detail: 'not checked: "CIBA grant" failed' });
  });

  it("an application without the Refresh Token grant: fails, and the refresh-token policy is not checked", async () => {
    const issuer = (await identityServer({ grantTypes: ["authorization_code", "client_credentials", TOKEN_VAULT, CIBA] })).issuer;
    const results = await runDoctor({ config: { ...config, AUTH0_DOMAIN: issuer.replace(/\/$/, ""), AUTH0_CLIENT_SECRET: SANDBOX_SECRET }, refreshToken: "whatever" });
    expect(failures(results)).toEqual(["Refresh Token grant"]);
    expect(line(results, "Refresh Token grant").fix).toContain('Tick "Refresh Token"');
    expect(line(results, "Refresh-token policy for the My Account API")).toMatchObject({ status: "skip", detail: 'not checked: "Refresh Token grant" failed' });
  });

  // Needs the identity server's `refreshTokenPolicies` option (issue 9, point 1), merged from another branch.
  it("an application without a refresh-token policy for the My Account API: the policy line fails and says how to add one", async () => {
    const issuer = (await identityServer({ refreshTokenPolicies: [] })).issuer;
    const refreshToken = await signIn(issuer);
    const results = await runDoctor({ config: { ...config, AUTH0_DOMAIN: issuer.replace(/\/$/, ""), AUTH0_CLIENT_SECRET: SANDBOX_SECRET }, refreshToken });

    expect(failures(results)).toEqual(["Refresh-token policy for the My Account API"]);
    // Whether the stand-in ignores the audience (as Auth0 does) or refuses it, the fix is the same policy.
    const policy = line(results, "Refresh-token policy for the My Account API");
    expect(policy.fix).toContain(`PATCH ${issuer}api/v2/clients/delegate-app`);
    expect(policy.fix).toContain(`"audience":"${issuer}me/"`);
  });

  it("Auth0's answer without a policy (a token for no API): the policy line fails and says how to add one", async () => {
    // Without a refresh-token policy Auth0 ignores `audience` and answers with a token for the default audience,
    // here none: an opaque /userinfo token (auth0.com/docs/secure/tokens/refresh-tokens/multi-resource-refresh-token).
    await injectFault(harness.issuer, {
      path: "/oauth/token",
      params: { grant_type: "refresh_token", refresh_token: aliceRefreshToken },
      status: 200,
      body: { access_token: "opaque-userinfo-token", token_type: "Bearer", expires_in: 86400, scope: "openid profile email" },
    });
    const results = await runDoctor({ config, refreshToken: aliceRefreshToken });
    expect(failures(results)).toEqual(["Refresh-token policy for the My Account API"]);
    const policy = line(results, "Refresh-token policy for the My Account API");
    expect(policy.detail).toBe(
      `asked for a token for ${harness.issuer}me/ and got one for no API (an opaque token): the application has no refresh-token policy for the My Account API, so connecting accounts fails`,
    );
    expect(policy.fix).toContain(`"audience":"${harness.issuer}me/"`);
  });

  it("a rotated refresh token: the policy line says Token Vault needs rotation off", async () => {
    const claims = Buffer.from(JSON.stringify({ aud: `${harness.issuer}me/`, scope: "read:me:connected_accounts" })).toString("base64url");
    await injectFault(harness.issuer, {
      path: "/oauth/token",
      params: { grant_type: "refresh_token", refresh_token: aliceRefreshToken },
      status: 200,
      body: { access_token: `e30.${claims}.c2ln`, refresh_token: "a-new-rotated-refresh-token", token_type: "Bearer", scope: "read:me:connected_accounts" },
    });
    const results = await runDoctor({ config, refreshToken: aliceRefreshToken });
    const policy = line(results, "Refresh-token policy for the My Account API");
    expect(policy.status).toBe("fail");
    expect(policy.detail).toContain("the refresh token was rotated");
    expect(policy.fix).toContain("Allow Refresh Token Rotation");
    expect(formatReport(results)).not.toContain("a-new-rotated-refresh-token");
  });

  it("a refresh token the identity server does not know: the policy line says to sign in again", async () => {
    const results = await runDoctor({ config, refreshToken: "an-expired-or-revoked-refresh-token" });
    const policy = line(results, "Refresh-token policy for the My Account API");
    expect(policy.status).toBe("fail");
    expect(policy.detail).toContain("DOCTOR_REFRESH_TOKEN was refused (invalid_grant");
    expect(policy.fix).toContain("Sign in again");
  });

  it("an application not authorized on the Management API: fails, saying which API and permission to grant", async () => {
    await injectFault(harness.issuer, {
      method: "POST",
      path: "/oauth/token",
      params: { grant_type: "client_credentials" },
      status: 403,
      // Auth0's answer when the application has no client grant for the API.
      body: { error: "access_denied", error_description: `Client is not authorized to access "${harness.issuer}api/v2/". You need to create a "client-grant" associated to this API.` },
    });
    const results = await runDoctor({ config });
    expect(failures(results)).toEqual(["Management API access (read:users)"]);
    const management = line(results, "Management API access (read:users)");
    expect(management.detail).toContain("no Management API token: access_denied: Client is not authorized");
    expect(management.fix).toContain("Auth0 Management API → Machine To Machine Applications");
    expect(management.fix).toContain("read:users");
  });

  it("the MCP and terminal setup: a wrong Custom API Client secret fails, the web app's id as the terminal's fails, unset ones are skipped", async () => {
    const wrong = await runDoctor({ config: { ...config, AUTH0_MCP_CLIENT_SECRET: "not-the-secret", AUTH0_CLI_CLIENT_ID: "delegate-app" } });
    const mcp = line(wrong, "MCP API: Custom API Client for Token Vault");
    expect(mcp).toMatchObject({ status: "fail" });
    expect(mcp.detail).toContain("refused AUTH0_MCP_CLIENT_ID and AUTH0_MCP_CLIENT_SECRET");
    expect(mcp.fix).toContain("Token Vault grant");
    expect(formatReport(wrong)).not.toContain("not-the-secret");
    expect(line(wrong, "Chat API: Custom API Client for Token Vault").status).toBe("pass");
    expect(line(wrong, "Terminal sign-in (device flow)")).toMatchObject({ status: "fail", fix: expect.stringContaining("Device Code") });

    const unset = await runDoctor({ config: { ...config, AUTH0_API_CLIENT_ID: undefined, AUTH0_CLI_CLIENT_ID: undefined } });
    expect(line(unset, "Chat API: Custom API Client for Token Vault")).toMatchObject({ status: "skip", detail: expect.stringContaining("terminal client") });
    expect(line(unset, "Terminal sign-in (device flow)")).toMatchObject({ status: "skip" });
    expect(anyFailed(unset)).toBe(false);
  });

  it("an FGA store id the server does not know: the store line fails, and the model is not checked", async () => {
    const results = await runDoctor({ config: { ...config, FGA_STORE_ID: "01JZZZZZZZZZZZZZZZZZZZZZZZ" } });
    expect(failures(results)).toEqual(["FGA store and credentials"]);
    const store = line(results, "FGA store and credentials");
    expect(store.detail).toBe("FGA has no store 01JZZZZZZZZZZZZZZZZZZZZZZZ");
    expect(store.fix).toContain("FGA_STORE_ID");
    expect(line(results, "FGA authorization model")).toMatchObject({ status: "skip", detail: 'not checked: "FGA store and credentials" failed' });
  });

  it("an FGA store whose model is older than lib/fga/model.fga: the model line fails and says to write the model", async () => {
    const { storeId } = await ensureStore(config.FGA_API_URL, "delegate-doctor-outdated");
    const current = await loadAuthorizationModel();
    // An earlier model: the same types without the last one the app now relies on.
    const outdated = { ...current, type_definitions: current.type_definitions.slice(0, -1) };
    await new OpenFgaClient({ apiUrl: config.FGA_API_URL, storeId }).writeAuthorizationModel(outdated);

    // The store's latest model is the one used, as no FGA_MODEL_ID pins another (the sandbox pins its own store's).
    const results = await runDoctor({ config: { ...config, FGA_STORE_ID: storeId, FGA_MODEL_ID: undefined } });
    expect(failures(results)).toEqual(["FGA authorization model"]);
    const model = line(results, "FGA authorization model");
    expect(model.detail).toContain("the store's latest model");
    expect(model.detail).toContain("is not lib/fga/model.fga");
    expect(model.fix).toContain("npm run fga:write-model");
  });

  it("an FGA_MODEL_ID that names no model: the model line fails and says to write the model or unset it", async () => {
    const results = await runDoctor({ config: { ...config, FGA_MODEL_ID: "01JYYYYYYYYYYYYYYYYYYYYYYY" } });
    expect(failures(results)).toEqual(["FGA authorization model"]);
    expect(line(results, "FGA authorization model").detail).toContain("the model FGA_MODEL_ID names (01JYYYYYYYYYYYYYYYYYYYYYYY) does not exist");
    expect(line(results, "FGA authorization model").fix).toContain("unset it");
  });

  describe("a Postgres without the migrations", () => {
    let bare: SandboxPostgres;
    beforeAll(async () => {
      bare = await startSandboxPostgres({ port: 0 });
      cleanups.push(() => bare.close());
    });

    it("fails the migrations line, counting what is pending and saying to run db:migrate", async () => {
      const results = await runDoctor({ config: { ...config, DATABASE_URL: bare.url } });
      expect(failures(results), formatReport(results)).toEqual(["Database migrations applied"]);
      const migrations = line(results, "Database migrations applied");
      expect(migrations.detail).toMatch(/^no migrations applied \(\d+ pending\)$/);
      expect(migrations.fix).toContain("npm run db:migrate");
      expect(line(results, "pgvector ≥ 0.8").status).toBe("pass");
    });
  });

  it("an unreachable Postgres: fails naming DATABASE_URL without printing its password", async () => {
    const results = await runDoctor({ config: { ...config, DATABASE_URL: `postgres://app:hunter2-password@127.0.0.1:${await closedPort()}/delegate` } });
    expect(failures(results)).toEqual(["Postgres reachable"]);
    const postgres = line(results, "Postgres reachable");
    expect(postgres.detail).toContain("could not connect");
    expect(postgres.fix).toContain("DATABASE_URL");
    expect(line(results, "Database migrations applied").status).toBe("skip");
    expect(formatReport(results)).not.toContain("hunter2-password");
  });

  it("an embedding model with the wrong width: fails, naming both widths and a model that fits", async () => {
    // An OpenAI-compatible server whose embedding model ignores `dimensions`, as many local models do.
    const port = await listen(
      createServer((req, res) => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/v1/models") return void res.end(JSON.stringify({ object: "list", data: [{ id: "local-chat", object: "model" }] }));
        if (req.url === "/v1/embeddings") {
          return void res.end(
            JSON.stringify({ object: "list", data: [{ object: "embedding", index: 0, embedding: Array.from({ length: 768 }, () => 0.01) }], model: "nomic-embed-text", usage: { prompt_tokens: 8, total_tokens: 8 } }),
          );
        }
        res.statusCode = 404;
        res.end("{}");
      }),
    );
    const results = await runDoctor({
      config: { ...config, OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, OPENAI_MODEL: "local-chat", OPENAI_EMBEDDING_MODEL: "nomic-embed-text" },
    });
    expect(failures(results)).toEqual(["Embedding dimensions"]);
    const embedding = line(results, "Embedding dimensions");
    expect(embedding.detail).toBe('OPENAI_EMBEDDING_MODEL "nomic-embed-text" returns 768 dimensions; the database stores 1536 (db/schema.ts)');
    expect(embedding.fix).toContain("text-embedding-3-small");
  });

  it("a chat model the endpoint does not offer: fails, listing what it offers", async () => {
    const results = await runDoctor({ config: { ...config, OPENAI_MODEL: "gpt-4o-typo" } });
    expect(failures(results)).toEqual(["Model endpoint and chat model"]);
    const model = line(results, "Model endpoint and chat model");
    expect(model.detail).toContain('does not offer OPENAI_MODEL "gpt-4o-typo" (it offers: delegate-sandbox');
    expect(model.fix).toContain("OPENAI_MODEL");
  });

  it("an unreachable model endpoint: fails naming OPENAI_BASE_URL, and embeddings are not checked", async () => {
    const results = await runDoctor({ config: { ...config, OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1` } });
    expect(failures(results)).toEqual(["Model endpoint and chat model"]);
    const model = line(results, "Model endpoint and chat model");
    expect(model.detail).toContain("could not be reached: connection refused");
    expect(model.fix).toContain("OPENAI_BASE_URL");
    expect(line(results, "Embedding dimensions")).toMatchObject({ status: "skip", detail: 'not checked: "Model endpoint and chat model" failed' });
  });

  it("a shop URL without its audience: fails, saying to set SHOP_API_AUDIENCE and register the API", async () => {
    const results = await runDoctor({ config: { ...config, SHOP_API_AUDIENCE: undefined } });
    expect(failures(results)).toEqual(["Shop API (purchases with CIBA)"]);
    const shop = line(results, "Shop API (purchases with CIBA)");
    expect(shop.fix).toContain("Set SHOP_API_AUDIENCE");
    expect(shop.fix).toContain("authorization_details type `urn:auth0:schemas:authorization-details:v1:purchase`");
  });
});
