import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_CLIENT_ID, delegateApis } from "./delegate-apis";
import { startIdentityServer, type IdentityServer } from "./server";
import { startClientMetadataHost, type ClientMetadataHost } from "./test-client-metadata-host";
import { authorizeWithPkce } from "./test-oauth";

const appBaseUrl = "http://localhost:3000";
const apis = delegateApis({ mcpAudience: `${appBaseUrl}/mcp`, chatApiAudience: `${appBaseUrl}/api` });
const redirectUri = "http://127.0.0.1:33418/oauth/callback";
const clientName = "Éditeur de Zoë (build « nightly ») — MCP";

let dataDir: string;
let server: IdentityServer;
let site: ClientMetadataHost;
/** A host the identity server may fetch from, where nothing listens. */
let unreachableHost: string;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "localhost", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  site = await startClientMetadataHost();
  unreachableHost = `localhost:${await freePort()}`;
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-cimd-"));
  server = await startIdentityServer({
    port: 0,
    appBaseUrl,
    dataDir,
    apiAudiences: apis.apiAudiences,
    cliClientId: CLI_CLIENT_ID,
    clientMetadataTestHosts: { ...site.testHosts, hosts: [...site.testHosts.hosts, unreachableHost] },
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  await site?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The document an MCP client publishes at `url`. */
const documentAt = (url: string, overrides: Record<string, unknown> = {}) => ({
  client_id: url,
  client_name: clientName,
  client_uri: "https://editor.example.org/",
  redirect_uris: [redirectUri],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
  ...overrides,
});

/** GET /authorize as a browser would open it; the sandbox answers a refusal with its error page. */
async function authorizePage(clientId: string, redirect = redirectUri) {
  const authorize = new URL("authorize", server.issuer);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirect,
    response_type: "code",
    scope: "openid tools:read",
    resource: apis.mcpAudience,
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    state: "st-1",
  }).toString();
  const response = await fetch(authorize, { redirect: "manual" });
  return { status: response.status, location: response.headers.get("location"), page: await response.text() };
}

describe("Client ID Metadata Documents in the authorization server metadata", () => {
  it("are advertised in both the RFC 8414 and the OpenID metadata", async () => {
    for (const path of [".well-known/oauth-authorization-server", ".well-known/openid-configuration"]) {
      const metadata = (await (await fetch(new URL(path, server.issuer))).json()) as Record<string, unknown>;
      expect(metadata.client_id_metadata_document_supported).toBe(true);
    }
  });
});

describe("a client identified by its metadata document", () => {
  it("signs a user in with PKCE and consent, naming itself and its site, and refreshes its token", async () => {
    const clientId = site.serve("/clients/zoe-editor.json", (url) => ({ body: documentAt(url), headers: { "cache-control": "max-age=300" } }));
    const result = await authorizeWithPkce(server.issuer, {
      clientId,
      redirectUri,
      resource: apis.mcpAudience,
      scopes: ["openid", "email", "offline_access", "tools:read"],
      email: "alice@example.com",
    });
    expect(result.error).toBeUndefined();
    const consent = result.consentPage ?? "";
    expect(consent).toContain(`Authorize ${clientName}`);
    expect(consent).toContain(`published by <strong>${new URL(clientId).host}</strong>`);
    const claims = decodeJwt(result.tokens!.access_token);
    expect(claims).toMatchObject({ aud: apis.mcpAudience, client_id: clientId, scope: expect.stringContaining("tools:read") });

    const refreshed = await fetch(new URL("oauth/token", server.issuer), {
      method: "POST",
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: result.tokens!.refresh_token!, client_id: clientId }),
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(((await refreshed.json()) as { access_token: string }).access_token).aud).toBe(apis.mcpAudience);
    // Authorize, consent and two token requests read the document once: it said it may be cached for five minutes.
    expect(site.fetches("/clients/zoe-editor.json")).toBe(1);
  });

  it("may ask only for the MCP API, as registered clients may", async () => {
    const clientId = site.serve("/clients/greedy.json", (url) => ({ body: documentAt(url) }));
    const result = await authorizeWithPkce(server.issuer, {
      clientId,
      redirectUri,
      resource: apis.chatApiAudience,
      scopes: ["openid", "chat"],
      email: "alice@example.com",
    });
    expect(result.tokens).toBeUndefined();
    expect(result.error?.error).toBe("unauthorized_client");
  });
});

describe("refusals at /authorize, on the sandbox's error page", () => {
  it.each([
    ["an http URL", () => `http://${site.url("/clients/plain.json").slice("https://".length)}`, "must use https"],
    ["a URL without a path", () => site.url("/"), "must have a path"],
    ["a query string", () => site.url("/clients/a.json?v=2"), "must not contain a query"],
    ["a fragment", () => site.url("/clients/a.json#me"), "must not contain a fragment"],
    ["a dot segment", () => site.url("/clients/../a.json"), "must not contain . or .."],
    ["a loopback address", () => "https://127.0.0.1:8443/clients/a.json", "loopback or private address"],
    ["a private address", () => "https://192.168.1.20/clients/a.json", "loopback or private address"],
    ["a username", () => "https://zoe@editor.example.org/client.json", "username or password"],
  ])("refuses %s as a client_id before fetching anything", async (_case, clientId, reason) => {
    const { status, page } = await authorizePage(clientId());
    expect(status).toBe(400);
    expect(page).toContain("<code>invalid_client</code>");
    expect(page).toContain(reason);
  });

  it.each([
    ["whose client_id is another URL", (url: string) => ({ body: documentAt(`${url}.evil`) }), "client_id does not match"],
    ["with a client_secret", (url: string) => ({ body: documentAt(url, { client_secret: "s3cr3t (leaked)" }) }), "must not contain client_secret"],
    ["with a shared-secret method", (url: string) => ({ body: documentAt(url, { token_endpoint_auth_method: "client_secret_post" }) }), "shared-secret"],
    ["with private_key_jwt", (url: string) => ({ body: documentAt(url, { token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://editor.example.org/jwks.json" }) }), "token_endpoint_auth_method must be none"],
    ["asking for client_credentials", (url: string) => ({ body: documentAt(url, { grant_types: ["authorization_code", "client_credentials"] }) }), "grant_types may only be"],
    ["of a native application", (url: string) => ({ body: documentAt(url, { application_type: "native" }) }), "application_type native"],
    ["with an http redirect URI on a public host", (url: string) => ({ body: documentAt(url, { redirect_uris: ["http://editor.example.org/callback"] }) }), "must use https"],
    ["without redirect URIs", (url: string) => ({ body: documentAt(url, { redirect_uris: [] }) }), "client_id metadata document: redirect_uris must contain members"],
    // RFC 7591's default method is client_secret_basic, which a document cannot use.
    ["that names no token_endpoint_auth_method", (url: string) => ({ body: documentAt(url, { token_endpoint_auth_method: undefined }) }), "client_secret is mandatory"],
    ["larger than 5 KB", (url: string) => ({ body: documentAt(url, { client_name: "Ж".repeat(3000) }) }), "larger than the 5120 bytes"],
    ["served as HTML", (url: string) => ({ body: documentAt(url), contentType: "text/html; charset=utf-8" }), "not application/json"],
    ["that is not JSON", () => ({ body: "{client_id: nope" }), "JSON"],
    ["that is a JSON array", (url: string) => ({ body: [documentAt(url)] }), "not a JSON object"],
    ["answered with 404", (url: string) => ({ body: documentAt(url), status: 404 }), "unexpected response status 404"],
    ["answered with a redirect", (url: string) => ({ body: "", status: 302, headers: { location: `${url}-moved` } }), "unexpected response status 302"],
  ])("refuses a document %s", async (name, answer, reason) => {
    const clientId = site.serve(`/refusals/${encodeURIComponent(name)}.json`, answer);
    const { status, page } = await authorizePage(clientId);
    expect(status).toBe(400);
    expect(page).toContain("<code>invalid_client</code>");
    expect(page).toContain(reason);
  });

  it("refuses a redirect_uri the document does not list, without redirecting to it", async () => {
    const clientId = site.serve("/clients/exact.json", (url) => ({ body: documentAt(url) }));
    const { status, location, page } = await authorizePage(clientId, "http://127.0.0.1:33418/oauth/callback/other");
    expect(status).toBe(400);
    expect(location).toBeNull();
    expect(page).toContain("<code>invalid_request</code>");
    expect(page).toContain("redirect_uri did not match");
  });

  it("refuses a document on a host that cannot be reached, and one that never answers", async () => {
    const unreachable = await authorizePage(`https://${unreachableHost}/clients/gone.json`);
    expect(unreachable.status).toBe(400);
    expect(unreachable.page).toContain("<code>invalid_client</code>");
    expect(unreachable.page).toContain("could not be fetched");

    const stuck = await authorizePage(site.serve("/clients/stuck.json", () => ({ body: "", hang: true })));
    expect(stuck.status).toBe(400);
    expect(stuck.page).toContain("could not be fetched");
    expect(stuck.page).toMatch(/timeout|aborted/i);
  });
});
