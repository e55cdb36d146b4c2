import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT } from "jose";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOrCreateSigningKeys } from "./keys";
import { startIdentityServer, type IdentityServer } from "./server";
import { auth0App, signInWithSandbox } from "./test-login";

const appBaseUrl = "http://localhost:3000";
const clientId = "delegate-app";
const clientSecret = "delegate-sandbox-secret";
const SHOP_AUDIENCE = "urn:delegate-sandbox:shop";
const INVALID_TOKEN = { statusCode: 401, error: "Unauthorized", message: "Invalid token", errorCode: "invalid_token" };

let dataDir: string;
let server: IdentityServer;
let auth0: Auth0Client;
let managementAudience: string;
const logs: string[] = [];

function endpoint(pathname: string): string {
  return new URL(pathname, server.issuer).href;
}

async function tokenRequest(fields: Record<string, string>): Promise<Response> {
  return fetch(endpoint("/oauth/token"), {
    method: "POST",
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...fields }),
  });
}

async function clientCredentials(fields: Record<string, string> = {}): Promise<Response> {
  return tokenRequest({ grant_type: "client_credentials", audience: managementAudience, scope: "read:users", ...fields });
}

async function managementToken(): Promise<string> {
  const response = await clientCredentials();
  if (!response.ok) throw new Error(`client_credentials failed: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function usersByEmail(query: string, token?: string): Promise<Response> {
  return fetch(`${endpoint("/api/v2/users-by-email")}?${query}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/**
 * A token the sandbox's own key signed for the Management API but without read:users, as Auth0 issues
 * when the client grant holds other scopes only; the sandbox's client grant has no such scope to give.
 */
async function managementTokenWithoutReadUsers(): Promise<string> {
  const [signingKey] = (await loadOrCreateSigningKeys(dataDir)).keys;
  if (!signingKey?.kid) throw new Error("no signing key");
  return new SignJWT({ client_id: clientId, scope: "read:clients" })
    .setProtectedHeader({ alg: "RS256", kid: signingKey.kid, typ: "at+jwt" })
    .setIssuer(server.issuer)
    .setSubject(clientId)
    .setAudience(managementAudience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime("5m")
    .sign(await importJWK(signingKey, "RS256"));
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-management-"));
  server = await startIdentityServer({
    port: 0,
    appBaseUrl,
    dataDir,
    apiAudiences: { [SHOP_AUDIENCE]: { scopes: ["orders:read"], authorizationDetailsTypes: [] } },
    log: (line) => logs.push(line),
  });
  managementAudience = `${server.issuer}api/v2/`;
  auth0 = new Auth0Client({
    domain: server.issuer.replace(/\/$/, ""),
    allowInsecureRequests: true,
    clientId,
    clientSecret,
    secret: randomBytes(32).toString("hex"),
    appBaseUrl,
  });
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("client_credentials for the Management API", () => {
  it("issues a JWT for <issuer>api/v2/ with read:users", async () => {
    const response = await clientCredentials();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: "Bearer", scope: "read:users", expires_in: 86_400 });
    expect(body).not.toHaveProperty("refresh_token");
    expect(body).not.toHaveProperty("id_token");

    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "RS256", typ: "at+jwt" });
    expect(decodeJwt(token)).toMatchObject({
      iss: server.issuer,
      aud: managementAudience,
      client_id: clientId,
      scope: "read:users",
    });
  });

  it("grants every scope of the client grant when the request names none, as Auth0 does", async () => {
    const response = await tokenRequest({ grant_type: "client_credentials", audience: managementAudience });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scope: "read:users" });
  });

  it("refuses any other audience, or none, with invalid_target", async () => {
    for (const audience of [SHOP_AUDIENCE, `${server.issuer}me/`, `${server.issuer}api/v1/`, "https://example.com/api/v2/"]) {
      const response = await clientCredentials({ audience });
      expect(response.status, audience).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_target" });
    }
    const none = await tokenRequest({ grant_type: "client_credentials", scope: "read:users" });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: "invalid_target" });
  });

  it("refuses a scope the client grant lacks with invalid_scope", async () => {
    for (const scope of ["read:users delete:users", "openid", "orders:read"]) {
      const response = await clientCredentials({ scope });
      expect(response.status, scope).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_scope" });
    }
  });

  it("authenticates the client before judging the audience", async () => {
    const response = await clientCredentials({ client_secret: "wrong", audience: SHOP_AUDIENCE });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("GET /api/v2/users-by-email", () => {
  it("finds Alice by her address exactly as stored, in Auth0's shape, and nobody by another capitalization", async () => {
    const token = await managementToken();
    // Auth0's search is exact and case-sensitive; database users' addresses are stored lowercased.
    for (const other of ["Alice%40Example.COM", "alice%40EXAMPLE.com", "ALICE%40example.com"]) {
      const miss = await usersByEmail(`email=${other}`, token);
      expect(miss.status).toBe(200);
      expect(await miss.json()).toEqual([]);
    }
    const response = await usersByEmail("email=alice%40example.com", token);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual([
      {
        user_id: "auth0|alice",
        email: "alice@example.com",
        email_verified: true,
        name: "Alice Martin",
        nickname: "alice",
        picture: expect.stringMatching(/^http:\/\/localhost:\d+\/avatars\/alice\.svg$/),
        identities: [
          { connection: "Username-Password-Authentication", provider: "auth0", user_id: "alice", isSocial: false },
        ],
        created_at: "2025-01-06T09:00:00.000Z",
        updated_at: "2025-01-06T09:00:00.000Z",
      },
    ]);
  });

  it("shows that Dave's email is not verified", async () => {
    const response = await usersByEmail("email=dave%40example.com", await managementToken());
    expect(response.status).toBe(200);
    const users = (await response.json()) as Record<string, unknown>[];
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      user_id: "auth0|dave",
      email: "dave@example.com",
      email_verified: false,
      name: "Dave Evans",
      identities: [{ connection: "Username-Password-Authentication", provider: "auth0", user_id: "dave", isSocial: false }],
    });
  });

  it("answers [] for an address nobody has", async () => {
    const response = await usersByEmail("email=nobody%40example.com", await managementToken());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([]);
  });

  it("answers 401 invalid_token without a token or with a bad one", async () => {
    const token = await managementToken();
    const [header, payload] = token.split(".");
    for (const bearer of [undefined, "", "not-a-jwt", `${header}.${payload}.${"A".repeat(342)}`]) {
      const response = await usersByEmail("email=alice%40example.com", bearer);
      expect(response.status, String(bearer)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="/);
      expect(await response.json()).toEqual(INVALID_TOKEN);
    }
  });

  it("refuses the tokens a user's own sign-in yields: wrong audience", async () => {
    const signedIn = await signInWithSandbox(auth0App(auth0), { email: "alice@example.com" });
    const session = await auth0.getSession(new NextRequest(appBaseUrl, { headers: { cookie: signedIn.appCookie } }));
    const { accessToken, refreshToken, idToken } = session!.tokenSet;

    const myAccount = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: refreshToken!,
      audience: `${server.issuer}me/`,
    });
    const myAccountToken = ((await myAccount.json()) as { access_token: string }).access_token;
    expect(decodeJwt(myAccountToken).aud).toBe(`${server.issuer}me/`);

    for (const bearer of [accessToken, myAccountToken, idToken!]) {
      const response = await usersByEmail("email=alice%40example.com", bearer);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual(INVALID_TOKEN);
    }

    // Nor can the user's refresh token be traded for a Management API token: as at Auth0, an audience no
    // refresh-token policy lists is ignored, and the token that comes back is refused.
    const escalated = await tokenRequest({
      grant_type: "refresh_token",
      refresh_token: refreshToken!,
      audience: managementAudience,
      scope: "openid read:users",
    });
    expect(escalated.status).toBe(200);
    const ignored = (await escalated.json()) as { access_token: string; scope: string };
    expect(ignored.scope).toBe("openid");
    const response = await usersByEmail("email=alice%40example.com", ignored.access_token);
    expect(response.status).toBe(401);
  });

  it("answers 403 insufficient_scope for a Management API token without read:users", async () => {
    const response = await usersByEmail("email=alice%40example.com", await managementTokenWithoutReadUsers());
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(await response.json()).toEqual({
      statusCode: 403,
      error: "Forbidden",
      message: "Insufficient scope, expected any of: read:users",
      errorCode: "insufficient_scope",
    });
  });

  it("answers 400 invalid_query_string for a missing or malformed email", async () => {
    const token = await managementToken();
    const rule = (text: string) => `Query validation error: '${text}' on property email (Email address to search for).`;
    const cases = [
      ["", rule("Missing required property: email")],
      ["email=not-an-email", rule("Object didn't pass validation for format email: not-an-email")],
      ["email=alice%20%40example.com", rule("Object didn't pass validation for format email: alice @example.com")],
      ["email=a%40example.com&email=b%40example.com", rule("Expected type string but found type array")],
    ];
    for (const [query, message] of cases) {
      const response = await usersByEmail(query!, token);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({
        statusCode: 400,
        error: "Bad Request",
        message,
        errorCode: "invalid_query_string",
      });
    }
  });

  it("checks the token before the query, as Auth0 does", async () => {
    const response = await usersByEmail("");
    expect(response.status).toBe(401);
  });

  it("answers 404 for the rest of the Management API", async () => {
    const response = await fetch(endpoint("/api/v2/users"), {
      headers: { authorization: `Bearer ${await managementToken()}` },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ statusCode: 404, error: "Not Found", message: "Not Found" });
  });

  it("never logs a token or an email", async () => {
    const token = await managementToken();
    await usersByEmail("email=carol%40example.com", token);
    expect(logs.some((line) => line.includes("GET /api/v2/users-by-email 200"))).toBe(true);
    for (const line of logs) {
      expect(line).not.toContain(token);
      expect(line).not.toContain("carol");
    }
  });
});
