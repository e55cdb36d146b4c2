import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { decodeJwt, importJWK, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAT_API_CLIENT_ID, CLI_CLIENT_ID, delegateApis, MCP_API_CLIENT_ID } from "./delegate-apis";
import { loadOrCreateSigningKeys } from "./keys";
import { startIdentityServer, type IdentityServer } from "./server";
import { auth0App, connectAccount, signInWithSandbox } from "./test-login";
import { authorizeWithPkce, registerClient } from "./test-oauth";

const appBaseUrl = "http://localhost:3000";
const apis = delegateApis({ mcpAudience: `${appBaseUrl}/mcp`, chatApiAudience: `${appBaseUrl}/api` });
const MCP_SECRET = "mcp-api secret (sandbox)!";
const CHAT_SECRET = "chat-api secret (sandbox)!";
const TOKEN_VAULT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
const FEDERATED_TOKEN = "http://auth0.com/oauth/token-type/federated-connection-access-token";
const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const redirectUri = "http://localhost:6274/oauth/callback";

let dataDir: string;
let server: IdentityServer;
/** Alice's MCP access token, from a registered MCP client's sign-in. */
let aliceMcpToken: string;
let signingKey: JWK;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-tv-access-"));
  server = await startIdentityServer({
    port: 0,
    appBaseUrl,
    dataDir,
    apiAudiences: apis.apiAudiences,
    customApiClients: [
      { clientId: MCP_API_CLIENT_ID, clientSecret: MCP_SECRET, audience: apis.mcpAudience },
      { clientId: CHAT_API_CLIENT_ID, clientSecret: CHAT_SECRET, audience: apis.chatApiAudience },
    ],
    cliClientId: CLI_CLIENT_ID,
    log: () => {},
  });
  [signingKey] = (await loadOrCreateSigningKeys(dataDir)).keys as JWK[] as [JWK];

  // Alice connects Google through the web app, as she would before using a calendar tool over MCP.
  const auth0 = new Auth0Client({
    domain: server.issuer.replace(/\/$/, ""),
    allowInsecureRequests: true,
    clientId: "delegate-app",
    clientSecret: "delegate-sandbox-secret",
    secret: randomBytes(32).toString("hex"),
    appBaseUrl,
    enableConnectAccountEndpoint: true,
  });
  const session = await signInWithSandbox(auth0App(auth0), { email: "alice@example.com" });
  await connectAccount(auth0App(auth0), session, { connection: "google-oauth2", scopes: [CALENDAR], decision: "allow" });

  const client = await registerClient(server.issuer, { client_name: "Claude (MCP)", redirect_uris: [redirectUri] });
  const { tokens } = await authorizeWithPkce(server.issuer, {
    clientId: client.client_id,
    redirectUri,
    resource: apis.mcpAudience,
    scopes: ["openid", "tools:read"],
    email: "alice@example.com",
  });
  aliceMcpToken = tokens!.access_token;
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function exchange(subjectToken: string, client: Record<string, string>, connection = "google-oauth2") {
  return fetch(new URL("oauth/token", server.issuer), {
    method: "POST",
    body: new URLSearchParams({
      grant_type: TOKEN_VAULT,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN,
      requested_token_type: FEDERATED_TOKEN,
      connection,
      ...client,
    }),
  });
}

const mcpApiClient = { client_id: MCP_API_CLIENT_ID, client_secret: MCP_SECRET };
const chatApiClient = { client_id: CHAT_API_CLIENT_ID, client_secret: CHAT_SECRET };

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; error_description?: string }) };
}

/** A JWT access token shaped like the issuer's, signed with `key`; `claims` override the defaults. */
async function accessToken(key: JWK, claims: Record<string, unknown> = {}, expiresIn = "1h"): Promise<string> {
  const defaults = { iss: server.issuer, sub: "auth0|alice", aud: apis.mcpAudience, scope: "tools:read", client_id: "someone" };
  return new SignJWT({ ...defaults, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: signingKey.kid!, typ: "at+jwt" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(await importJWK(key, "RS256"));
}

describe("Token Vault's access-token exchange by a Custom API Client", () => {
  it("accepts a token minted by the test's own helper when nothing is wrong with it, so the refusals below mean something", async () => {
    expect((await exchange(await accessToken(signingKey), mcpApiClient)).status).toBe(200);
  });

  it("trades the user's MCP access token for the provider token of the account she connected", async () => {
    const response = await exchange(aliceMcpToken, mcpApiClient);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ issued_token_type: FEDERATED_TOKEN, token_type: "Bearer", scope: CALENDAR });
    expect(decodeJwt(String(body.access_token))).toMatchObject({ sub: "auth0|alice", aud: "google-oauth2" });
  });

  it("answers Auth0's not-connected error for a connection the user has not connected", async () => {
    expect(await errorOf(await exchange(aliceMcpToken, mcpApiClient, "github"))).toEqual({
      status: 401,
      error: "federated_connection_refresh_token_not_found",
      error_description: "Federated connection Refresh Token not found.",
    });
  });

  it("refuses the web app: the access-token variant is a Custom API Client's", async () => {
    const refusal = await errorOf(await exchange(aliceMcpToken, { client_id: "delegate-app", client_secret: "delegate-sandbox-secret" }));
    expect(refusal).toMatchObject({ status: 403, error: "unauthorized_client" });
  });

  it("refuses the CLI's public client, which has no Token Vault grant", async () => {
    expect(await errorOf(await exchange(aliceMcpToken, { client_id: CLI_CLIENT_ID }))).toMatchObject({ status: 403, error: "unauthorized_client" });
  });

  it("refuses another API's Custom API Client: the token is not for its API", async () => {
    expect(await errorOf(await exchange(aliceMcpToken, chatApiClient))).toMatchObject({ status: 400, error: "invalid_grant" });
  });

  it("refuses a Custom API Client with a wrong secret", async () => {
    expect((await errorOf(await exchange(aliceMcpToken, { ...mcpApiClient, client_secret: "wrong" }))).status).toBe(401);
  });

  it.each([
    ["expired", () => accessToken(signingKey, {}, "-1m")],
    ["for another audience", () => accessToken(signingKey, { aud: apis.chatApiAudience })],
    ["from another issuer", () => accessToken(signingKey, { iss: "https://tenant.example.auth0.com/" })],
    ["for a user who does not exist", () => accessToken(signingKey, { sub: "auth0|mallory" })],
    ["forged with another key", () => {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      return accessToken({ ...privateKey.export({ format: "jwk" }), kty: "RSA" });
    }],
    ["tampered with", async () => {
      const [header, , signature] = aliceMcpToken.split(".");
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(aliceMcpToken), sub: "auth0|bob" })).toString("base64url");
      return `${header}.${payload}.${signature}`;
    }],
    ["not a JWT", async () => "opaque-token-value"],
  ])("refuses a subject token that is %s with invalid_grant", async (_case, subject) => {
    expect(await errorOf(await exchange(await subject(), mcpApiClient))).toMatchObject({ status: 400, error: "invalid_grant" });
  });

  it("refuses an ID token, whose type is not an access token's", async () => {
    const idToken = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: signingKey.kid!, typ: "JWT" })
      .setIssuer(server.issuer)
      .setSubject("auth0|alice")
      .setAudience(apis.mcpAudience)
      .setExpirationTime("1h")
      .sign(await importJWK(signingKey, "RS256"));
    expect((await errorOf(await exchange(idToken, mcpApiClient))).error).toBe("invalid_grant");
  });
});
