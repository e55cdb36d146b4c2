import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_CLIENT_ID, delegateApis, MCP_API_REGISTRATION } from "./delegate-apis";
import { startIdentityServer, type IdentityServer } from "./server";
import { authorizeWithPkce, postRegistration, registerClient } from "./test-oauth";

const appBaseUrl = "http://localhost:3000";
const apis = delegateApis({ mcpAudience: `${appBaseUrl}/mcp`, chatApiAudience: `${appBaseUrl}/api` });
const redirectUri = "http://127.0.0.1:33418/oauth/callback";

let dataDir: string;
let server: IdentityServer;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-dcr-"));
  server = await startIdentityServer({
    port: 0,
    appBaseUrl,
    dataDir,
    apiAudiences: apis.apiAudiences,
    cliClientId: CLI_CLIENT_ID,
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const metadata = (overrides: Record<string, unknown> = {}) => ({
  client_name: "Zoë's MCP Inspector (dev build)",
  redirect_uris: [redirectUri],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
  ...overrides,
});

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: string; error_description?: string }) };
}

describe("authorization server metadata", () => {
  it("serves RFC 8414 metadata with what an MCP client needs, the same as the OpenID configuration", async () => {
    const rfc8414 = (await (await fetch(new URL(".well-known/oauth-authorization-server", server.issuer))).json()) as Record<string, unknown>;
    const openid = (await (await fetch(new URL(".well-known/openid-configuration", server.issuer))).json()) as Record<string, unknown>;
    expect(rfc8414).toEqual(openid);
    expect(rfc8414).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: new URL("authorize", server.issuer).href,
      token_endpoint: new URL("oauth/token", server.issuer).href,
      registration_endpoint: new URL("oidc/register", server.issuer).href,
      device_authorization_endpoint: new URL("oauth/device/code", server.issuer).href,
      revocation_endpoint: new URL("oauth/revoke", server.issuer).href,
      code_challenge_methods_supported: ["S256"],
    });
    expect(rfc8414.response_types_supported).toEqual(["code"]);
    expect(rfc8414.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"]),
    );
    expect(rfc8414.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["none", "client_secret_post"]));
  });
});

describe("Dynamic Client Registration at /oidc/register", () => {
  it("registers a public client without any token and answers 201 with its client_id", async () => {
    const response = await postRegistration(server.issuer, metadata());
    expect(response.status).toBe(201);
    const client = (await response.json()) as Record<string, unknown>;
    expect(client).toMatchObject({
      client_name: "Zoë's MCP Inspector (dev build)",
      redirect_uris: [redirectUri],
      grant_types: ["authorization_code", "refresh_token"],
      token_endpoint_auth_method: "none",
    });
    expect(typeof client.client_id).toBe("string");
    expect(client.client_secret).toBeUndefined();
    // Open registration at Auth0 has no registration management endpoint.
    expect(client.registration_access_token).toBeUndefined();
  });

  it("defaults to a public client for the code flow when the request says nothing", async () => {
    const client = await registerClient(server.issuer, { redirect_uris: ["https://app.example.org/oauth/callback"] });
    expect(client).toMatchObject({ token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"] });
  });

  it("gives a client_secret_post client a secret, as Auth0's other registration method", async () => {
    const client = await registerClient(server.issuer, metadata({ token_endpoint_auth_method: "client_secret_post" }));
    expect(client.client_secret).toEqual(expect.any(String));
  });

  it.each([
    ["http on a public host", "http://mcp.example.org/callback"],
    ["a fragment", "https://mcp.example.org/callback#tokens"],
    ["a relative URL", "/callback"],
    ["javascript:", "javascript:alert(1)"],
    ["a custom scheme", "cursor://anysphere.cursor-retrieval/oauth/callback"],
  ])("refuses a redirect URI with %s", async (_case, uri) => {
    const refusal = await errorOf(await postRegistration(server.issuer, metadata({ redirect_uris: [redirectUri, uri] })));
    expect(refusal).toMatchObject({ status: 400, error: "invalid_redirect_uri" });
  });

  it("refuses a registration without redirect URIs", async () => {
    expect(await errorOf(await postRegistration(server.issuer, metadata({ redirect_uris: [] })))).toMatchObject({
      status: 400,
      error: "invalid_redirect_uri",
    });
  });

  it.each([
    ["client_credentials", { grant_types: ["client_credentials"] }],
    ["the device code grant", { grant_types: ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"] }],
    ["Token Vault", { grant_types: ["authorization_code", "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"] }],
    ["the implicit flow", { response_types: ["token"] }],
    ["private_key_jwt", { token_endpoint_auth_method: "private_key_jwt" }],
  ])("refuses a client asking for %s", async (_case, overrides) => {
    expect(await errorOf(await postRegistration(server.issuer, metadata(overrides)))).toMatchObject({
      status: 400,
      error: "invalid_client_metadata",
    });
  });

  it("refuses a body that is not a JSON object", async () => {
    const response = await fetch(new URL("oidc/register", server.issuer), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(await errorOf(response)).toMatchObject({ status: 400, error: "invalid_client_metadata" });
  });

  it("does not let a registration choose its own client_id", async () => {
    const client = await registerClient(server.issuer, metadata({ client_id: CLI_CLIENT_ID }));
    expect(client.client_id).not.toBe(CLI_CLIENT_ID);
  });
});

describe("a registered (third-party) client signing a user in for the MCP API", () => {
  const jwks = () => createRemoteJWKSet(new URL(".well-known/jwks.json", server.issuer));

  it("shows the consent screen naming the client, the API and the permissions, then issues a JWT for the resource", async () => {
    const client = await registerClient(server.issuer, metadata());
    const result = await authorizeWithPkce(server.issuer, {
      clientId: client.client_id,
      redirectUri,
      resource: apis.mcpAudience,
      scopes: ["openid", "email", "offline_access", "tools:read", "tools:spend", "orders:create"],
      email: "alice@example.com",
      consent: "allow",
    });
    expect(result.error).toBeUndefined();
    const page = result.consentPage!;
    expect(page).toContain("Authorize Zoë&#39;s MCP Inspector (dev build)");
    expect(page).toContain(MCP_API_REGISTRATION.name);
    expect(page).toContain(apis.mcpAudience);
    expect(page).toContain(MCP_API_REGISTRATION.scopeDescriptions!["tools:spend"]);
    expect(page).toContain("alice@example.com");
    expect(page).toMatch(/<button type="submit" name="decision" value="allow">Allow<\/button>/);
    expect(page).toMatch(/<button type="submit" name="decision" value="deny" class="secondary">Deny<\/button>/);
    // A scope the API does not offer is neither asked nor granted.
    expect(page).not.toContain("orders:create");

    const tokens = result.tokens!;
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks(), {
      issuer: server.issuer,
      audience: apis.mcpAudience,
    });
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload).toMatchObject({ sub: "auth0|alice", client_id: client.client_id });
    expect(payload.scope).toBe("tools:read tools:spend");
    expect(tokens.refresh_token).toEqual(expect.any(String));

    // The refresh token mints another token for the same resource without naming it again.
    const refreshed = await fetch(new URL("oauth/token", server.issuer), {
      method: "POST",
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: client.client_id }),
    });
    expect(refreshed.status).toBe(200);
    const again = (await refreshed.json()) as { access_token: string };
    expect(decodeJwt(again.access_token).aud).toBe(apis.mcpAudience);
  });

  it("takes Auth0's audience parameter at /authorize as the resource", async () => {
    const client = await registerClient(server.issuer, metadata());
    const { tokens } = await authorizeWithPkce(server.issuer, {
      clientId: client.client_id,
      redirectUri,
      audience: apis.mcpAudience,
      scopes: ["openid", "tools:write"],
      email: "bob@example.com",
    });
    expect(decodeJwt(tokens!.access_token)).toMatchObject({ aud: apis.mcpAudience, sub: "auth0|bob", scope: "tools:write" });
  });

  it("remembers the consent: the next sign-in for the same permissions skips the screen", async () => {
    const client = await registerClient(server.issuer, metadata());
    const options = {
      clientId: client.client_id,
      redirectUri,
      resource: apis.mcpAudience,
      scopes: ["openid", "tools:read"],
      email: "bob@example.com",
    };
    expect((await authorizeWithPkce(server.issuer, options)).consentPage).toBeDefined();
    // A fresh browser: signs in again, but the grant the user gave is kept.
    const second = await authorizeWithPkce(server.issuer, options);
    expect(second.tokens).toBeDefined();
  });

  it("answers access_denied to the client when the user denies consent", async () => {
    const client = await registerClient(server.issuer, metadata());
    const result = await authorizeWithPkce(server.issuer, {
      clientId: client.client_id,
      redirectUri,
      resource: apis.mcpAudience,
      scopes: ["openid", "tools:read"],
      email: "carol@example.com",
      consent: "deny",
    });
    expect(result.tokens).toBeUndefined();
    expect(result.error).toEqual({ error: "access_denied", error_description: "User did not authorize the request" });
  });

  it("lets the registered client's own redirect origin, and no other, call the token endpoint from a browser", async () => {
    const client = await registerClient(server.issuer, metadata());
    const fromOrigin = (origin: string) =>
      fetch(new URL("oauth/token", server.issuer), {
        method: "POST",
        headers: { origin },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: "unknown", client_id: client.client_id }),
      });
    expect((await fromOrigin("http://127.0.0.1:33418")).headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:33418");
    expect((await fromOrigin("https://evil.example.com")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a resource no API is known by", async () => {
    const client = await registerClient(server.issuer, metadata());
    const result = await authorizeWithPkce(server.issuer, {
      clientId: client.client_id,
      redirectUri,
      resource: "https://evil.example.com/mcp",
      scopes: ["openid", "tools:read"],
      email: "alice@example.com",
    });
    expect(result.error?.error).toBe("invalid_target");
  });

  it("gives a third-party client no API its default grant does not cover", async () => {
    const client = await registerClient(server.issuer, metadata());
    const result = await authorizeWithPkce(server.issuer, {
      clientId: client.client_id,
      redirectUri,
      resource: apis.chatApiAudience,
      scopes: ["openid", "chat"],
      email: "alice@example.com",
    });
    expect(result.error?.error).toBe("unauthorized_client");
  });
});
