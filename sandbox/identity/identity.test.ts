import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityServer, type IdentityServer } from "./server";
import { auth0App, openLoginPage, signInWithSandbox, submitLogin, type SandboxSession } from "./test-login";
import { SANDBOX_PASSWORD, sandboxUsers } from "./users";

const appBaseUrl = "http://localhost:3000";
const clientId = "delegate-app";
const clientSecret = "delegate-sandbox-secret";

let dataDir: string;
let server: IdentityServer;
let auth0: Auth0Client;
const logs: string[] = [];

async function start(port: number): Promise<IdentityServer> {
  return startIdentityServer({ port, appBaseUrl, dataDir, log: (line) => logs.push(line) });
}

function endpoint(pathname: string): string {
  return new URL(pathname, server.issuer).href;
}

async function postForm(pathname: string, fields: Record<string, string>): Promise<Response> {
  return fetch(endpoint(pathname), {
    method: "POST",
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...fields }),
  });
}

async function refresh(refreshToken: string): Promise<Response> {
  return postForm("/oauth/token", { grant_type: "refresh_token", refresh_token: refreshToken });
}

async function sessionOf(signedIn: SandboxSession) {
  const session = await auth0.getSession(new NextRequest(appBaseUrl, { headers: { cookie: signedIn.appCookie } }));
  if (!session) throw new Error("no session in the app cookies");
  return session;
}

async function signingKeyIds(): Promise<string[]> {
  const jwks = (await (await fetch(endpoint("/.well-known/jwks.json"))).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((key) => key.kid);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-identity-"));
  server = await start(0);
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

describe("sandbox identity server", () => {
  it("publishes Auth0-style discovery and a JWKS", async () => {
    const port = new URL(server.issuer).port;
    expect(server.issuer).toBe(`http://localhost:${port}/`);

    const discovery = (await (await fetch(endpoint("/.well-known/openid-configuration"))).json()) as Record<
      string,
      unknown
    >;
    expect(discovery).toMatchObject({
      issuer: server.issuer,
      authorization_endpoint: endpoint("/authorize"),
      token_endpoint: endpoint("/oauth/token"),
      userinfo_endpoint: endpoint("/userinfo"),
      jwks_uri: endpoint("/.well-known/jwks.json"),
      end_session_endpoint: endpoint("/oidc/logout"),
      revocation_endpoint: endpoint("/oauth/revoke"),
    });
    expect(discovery.token_endpoint_auth_methods_supported).toContain("client_secret_post");
    expect(await signingKeyIds()).toHaveLength(1);
  });

  it("signs Alice in through the real nextjs-auth0 client", async () => {
    const session = await sessionOf(await signInWithSandbox(auth0App(auth0), { email: "alice@example.com" }));

    expect(session.user).toMatchObject({
      sub: "auth0|alice",
      email: "alice@example.com",
      name: "Alice Martin",
      email_verified: true,
    });
    expect(session.tokenSet.refreshToken).toBeTruthy();
    const secrets = [SANDBOX_PASSWORD, session.tokenSet.refreshToken!, session.tokenSet.accessToken];
    for (const line of logs) {
      expect(line.startsWith("[sandbox:identity] ")).toBe(true);
      for (const secret of secrets) expect(line).not.toContain(secret);
    }
  });

  it("answers a wrong password with the form again, a 401 and no redirect", async () => {
    const page = await openLoginPage(auth0App(auth0));
    const response = await submitLogin(page, "alice@example.com", "not-the-password");

    expect(response.status).toBe(401);
    expect(response.headers.get("location")).toBeNull();
    const html = await response.text();
    expect(html).toMatch(/<p role="alert"[^>]*>Wrong email or password/);
    expect(html).toContain('value="alice@example.com"');
    expect(html).toContain("<h1>Delegate sandbox identity server</h1>");
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('<label for="password">Password</label>');
  });

  it("only lets a login form finish the interaction named in its URL", async () => {
    const page = await openLoginPage(auth0App(auth0));
    const otherInteraction = new URL(page.action.pathname.replace(/^\/interaction\/[^/]+/, "/interaction/another"), page.action);
    const response = await fetch(otherInteraction, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: page.jar.header(page.action) },
      body: new URLSearchParams({ email: "alice@example.com", password: SANDBOX_PASSWORD }),
    });

    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("belongs to another sign-in attempt");
  });

  it("refreshes without rotating the refresh token, and serves userinfo", async () => {
    const { tokenSet } = await sessionOf(await signInWithSandbox(auth0App(auth0), { email: "bob@example.com" }));

    const response = await refresh(tokenSet.refreshToken!);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { access_token: string; refresh_token: string; id_token: string };
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.access_token).not.toBe(tokenSet.accessToken);
    expect(tokens.refresh_token).toBe(tokenSet.refreshToken);

    const userinfo = await fetch(endpoint("/userinfo"), { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(200);
    expect(await userinfo.json()).toMatchObject({ sub: "auth0|bob", email: "bob@example.com", name: "Bob Chen" });
  });

  it("rejects a revoked refresh token with invalid_grant", async () => {
    const { tokenSet } = await sessionOf(await signInWithSandbox(auth0App(auth0), { email: "carol@example.com" }));

    const revoked = await postForm("/oauth/revoke", {
      token: tokenSet.refreshToken!,
      token_type_hint: "refresh_token",
    });
    expect(revoked.status).toBe(200);

    const response = await refresh(tokenSet.refreshToken!);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("ends RP-initiated logout at the app's post-logout redirect", async () => {
    const signedIn = await signInWithSandbox(auth0App(auth0), { email: "alice@example.com" });
    const logoutUrl = new URL("/auth/logout", appBaseUrl);
    const appLogout = await auth0.middleware(new NextRequest(logoutUrl, { headers: { cookie: signedIn.appCookie } }));
    const endSession = new URL(appLogout.headers.get("location")!);
    expect(endSession.href.startsWith(endpoint("/oidc/logout"))).toBe(true);

    const confirmPage = await fetch(endSession, { headers: { cookie: signedIn.jar.header(endSession) } });
    signedIn.jar.store(confirmPage);
    const html = await confirmPage.text();
    expect(html).toContain('document.getElementById("op.logoutForm").submit()');
    const form = /<form id="op.logoutForm" method="post" action="([^"]+)">(.*?)<\/form>/s.exec(html);
    const fields = [...(form?.[2] ?? "").matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)];
    const action = new URL(form![1]!, endSession);

    const confirmed = await fetch(action, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: signedIn.jar.header(action) },
      body: new URLSearchParams(fields.map(([, name, value]) => [name!, value!])),
    });
    expect(confirmed.status).toBe(303);
    expect(new URL(confirmed.headers.get("location")!).href).toBe(new URL(appBaseUrl).href);
  });

  it("keeps refresh tokens and signing keys across a restart", async () => {
    const { tokenSet } = await sessionOf(await signInWithSandbox(auth0App(auth0), { email: "carol@example.com" }));
    const keyIds = await signingKeyIds();
    const port = Number(new URL(server.issuer).port);

    await server.close();
    server = await start(port);

    expect(await signingKeyIds()).toEqual(keyIds);
    const response = await refresh(tokenSet.refreshToken!);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ refresh_token: tokenSet.refreshToken });
  });

  it("seeds four users with stable Auth0-style ids, Dave's email unverified", () => {
    const seeded = sandboxUsers.map(({ sub, email, name, email_verified }) => ({ sub, email, name, email_verified }));
    expect(seeded).toEqual([
      { sub: "auth0|alice", email: "alice@example.com", name: "Alice Martin", email_verified: true },
      { sub: "auth0|bob", email: "bob@example.com", name: "Bob Chen", email_verified: true },
      { sub: "auth0|carol", email: "carol@example.com", name: "Carol Diaz", email_verified: true },
      { sub: "auth0|dave", email: "dave@example.com", name: "Dave Evans", email_verified: false },
    ]);
  });

  it("lists every user on the login page and says which email is unverified", async () => {
    const page = await openLoginPage(auth0App(auth0));
    const pageUrl = new URL(page.action.pathname.replace(/\/login$/, ""), page.action);
    const html = await (await fetch(pageUrl, { headers: { cookie: page.jar.header(pageUrl) } })).text();
    const rows = [...html.matchAll(/<tr><td>([^<]+)<\/td><td>(.*?)<\/td><\/tr>/g)].map(([, name, email]) => [name, email]);
    expect(rows).toEqual([
      ["Alice Martin", "<code>alice@example.com</code>"],
      ["Bob Chen", "<code>bob@example.com</code>"],
      ["Carol Diaz", "<code>carol@example.com</code>"],
      ["Dave Evans", '<code>dave@example.com</code> <span class="note">(unverified)</span>'],
    ]);
  });

  it("signs Dave in, with email_verified false in his session", async () => {
    const session = await sessionOf(await signInWithSandbox(auth0App(auth0), { email: "dave@example.com" }));
    expect(session.user).toMatchObject({ sub: "auth0|dave", email: "dave@example.com", email_verified: false });
  });
});
