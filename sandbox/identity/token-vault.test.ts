import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { decodeJwt } from "jose";
import { NextRequest, NextResponse } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderTokenVerifier, ProviderTokenError } from "./provider-tokens";
import { startIdentityServer, type IdentityServer } from "./server";
import { auth0App, connectAccount, signInWithSandbox, type SandboxSession } from "./test-login";

const appBaseUrl = "http://localhost:3000";
const callbackUrl = `${appBaseUrl}/auth/callback`;
const clientId = "delegate-app";
const clientSecret = "delegate-sandbox-secret";
const TOKEN_VAULT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
const FEDERATED_TOKEN = "http://auth0.com/oauth/token-type/federated-connection-access-token";
const REFRESH_TOKEN = "urn:ietf:params:oauth:token-type:refresh_token";
const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy";
const GMAIL_READ = "https://www.googleapis.com/auth/gmail.readonly";
const NOT_CONNECTED = {
  error: "federated_connection_refresh_token_not_found",
  error_description: "Federated connection Refresh Token not found.",
};

let dataDir: string;
let server: IdentityServer;
let auth0: Auth0Client;
const logs: string[] = [];
const sessionSecret = randomBytes(32).toString("hex");

interface CallbackCall {
  error: (Error & { code?: string; cause?: unknown }) | null;
  ctx: { responseType?: string; returnTo?: string };
  hadSession: boolean;
}

function auth0Client(onCallback?: (call: CallbackCall) => void): Auth0Client {
  return new Auth0Client({
    domain: server.issuer.replace(/\/$/, ""),
    allowInsecureRequests: true,
    clientId,
    clientSecret,
    // Shared, so every client reads the sessions the others wrote.
    secret: sessionSecret,
    appBaseUrl,
    enableConnectAccountEndpoint: true,
    ...(onCallback && {
      // Records the call, then answers as nextjs-auth0's default onCallback does.
      onCallback: async (error, ctx, session) => {
        onCallback({ error, ctx, hadSession: session !== null });
        if (error) return new NextResponse(error.message, { status: 500 });
        return NextResponse.redirect(new URL(ctx.returnTo ?? "/", appBaseUrl));
      },
    }),
  });
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

async function refreshTokenOf(signedIn: SandboxSession): Promise<string> {
  const session = await auth0.getSession(new NextRequest(appBaseUrl, { headers: { cookie: signedIn.appCookie } }));
  if (!session?.tokenSet.refreshToken) throw new Error("no refresh token in the app session");
  return session.tokenSet.refreshToken;
}

async function exchange(subjectToken: string, connection: string, extra: Record<string, string> = {}) {
  return postForm("/oauth/token", {
    grant_type: TOKEN_VAULT,
    subject_token: subjectToken,
    subject_token_type: REFRESH_TOKEN,
    requested_token_type: FEDERATED_TOKEN,
    connection,
    ...extra,
  });
}

async function providerTokenFor(refreshToken: string, connection: string): Promise<string> {
  const response = await exchange(refreshToken, connection);
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Connects through the app with Allow, as most tests need. */
async function allow(session: SandboxSession, connection: string, ...scopes: string[]): Promise<void> {
  const { callback } = await connectAccount(auth0App(auth0), session, { connection, scopes, decision: "allow" });
  expect(callback.status).toBe(307);
}

const signIn = (email: string) => signInWithSandbox(auth0App(auth0), { email });

/** A My Account API token, asked for the way nextjs-auth0 asks: its configured scopes merged in. */
async function myAccountToken(refreshToken: string, ...scopes: string[]): Promise<string> {
  const response = await postForm("/oauth/token", {
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    audience: endpoint("/me/"),
    scope: ["openid profile email offline_access", ...scopes].join(" "),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function myAccount(pathname: string, token: string | undefined, init: { method?: string; body?: unknown } = {}) {
  return fetch(endpoint(`/me/v1/connected-accounts${pathname}`), {
    method: init.method ?? "GET",
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(init.body !== undefined && { "content-type": "application/json" }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

interface AccountBody {
  id: string;
  connection: string;
  access_type: string;
  scopes: string[];
  created_at: string;
}

async function listAccounts(refreshToken: string): Promise<AccountBody[]> {
  const response = await myAccount("/accounts", await myAccountToken(refreshToken, "read:me:connected_accounts"));
  expect(response.status).toBe(200);
  return ((await response.json()) as { accounts: AccountBody[] }).accounts;
}

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

async function start(options: { port: number; providerTokenTtlSeconds?: number }): Promise<IdentityServer> {
  return startIdentityServer({ ...options, appBaseUrl, dataDir, log: (line) => logs.push(line) });
}

interface AccountsPage {
  accounts: AccountBody[];
  next?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-token-vault-"));
  server = await start({ port: 0 });
  auth0 = auth0Client();
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("connecting an account through nextjs-auth0's /auth/connect", () => {
  let alice: SandboxSession;

  beforeAll(async () => {
    alice = await signIn("alice@example.com");
  });

  it("connects Google for Alice and returns to returnTo", async () => {
    const { consentPage, callback } = await connectAccount(auth0App(auth0), alice, {
      connection: "google-oauth2",
      scopes: [CALENDAR],
      decision: "allow",
      returnTo: "/done",
    });

    expect(callback.status).toBe(307);
    expect(callback.headers.get("location")).toBe(`${appBaseUrl}/done`);
    expect(consentPage).toContain("<h1>Delegate sandbox identity server</h1>");
    expect(consentPage).toContain("This is not Google");
    expect(consentPage).toContain("<h2>Connect your Google account to Delegate</h2>");
    expect(consentPage).toMatch(
      /<h3 id="new-permissions">Delegate will be able to:<\/h3>\s*<ul aria-labelledby="new-permissions">\s*<li>See the events on your calendars/,
    );
    expect(consentPage).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    expect(consentPage).toContain(
      '<button type="submit" name="decision" value="cancel" class="secondary">Cancel</button>',
    );

    const accounts = await listAccounts(await refreshTokenOf(alice));
    expect(accounts).toEqual([
      {
        id: expect.stringMatching(/^cac_/),
        connection: "google-oauth2",
        access_type: "offline",
        scopes: [CALENDAR],
        created_at: expect.any(String),
      },
    ]);

    const ticket = /name="ticket" value="([^"]+)"/.exec(consentPage)![1]!;
    for (const line of logs) expect(line).not.toContain(ticket);

    // The My Account token came with a refreshed ID token; the session's user must be unharmed.
    const session = await auth0.getSession(new NextRequest(appBaseUrl, { headers: { cookie: alice.appCookie } }));
    expect(session?.user).toMatchObject({ sub: "auth0|alice", name: "Alice Martin", email: "alice@example.com" });
  });

  it("passes the sandbox's refusal of an unknown connection on as an HTTP 400 from /auth/connect", async () => {
    await expect(
      connectAccount(auth0App(auth0), alice, { connection: "dropbox", decision: "allow" }),
    ).rejects.toThrow(
      "the app's /auth/connect failed with HTTP 400: The request to initiate the connect account flow failed with status 400.",
    );
  });

  it("names only the new permissions when the account is already connected, and keeps the old ones", async () => {
    const { consentPage, callback } = await connectAccount(auth0App(auth0), alice, {
      connection: "google-oauth2",
      scopes: [CALENDAR, FREEBUSY],
      decision: "allow",
      returnTo: "/done",
    });

    expect(callback.headers.get("location")).toBe(`${appBaseUrl}/done`);
    expect(consentPage).toContain("You already connected Google to Delegate.");
    const newList = /<ul aria-labelledby="new-permissions">(.*?)<\/ul>/s.exec(consentPage)![1]!;
    const grantedList = /<ul aria-labelledby="granted-permissions">(.*?)<\/ul>/s.exec(consentPage)![1]!;
    expect(newList).toContain("See when you are free or busy");
    expect(newList).not.toContain("See the events on your calendars");
    expect(grantedList).toContain("See the events on your calendars");

    const [account] = await listAccounts(await refreshTokenOf(alice));
    expect(account?.scopes).toEqual([CALENDAR, FREEBUSY]);
  });

  it("answers a cancelled connect with nextjs-auth0's onCallback error and connects nothing", async () => {
    const { callback } = await connectAccount(auth0App(auth0), alice, {
      connection: "github",
      scopes: ["repo"],
      decision: "cancel",
      returnTo: "/done",
    });

    // nextjs-auth0 ignores the callback's error=access_denied, calls /complete without a
    // connect_code, and hands the failure to onCallback, whose default answers 500 in plain text.
    expect(callback.status).toBe(500);
    expect(callback.headers.get("location")).toBeNull();
    expect(await callback.text()).toBe("The request to complete the connect account flow failed with status 400.");

    const calls: CallbackCall[] = [];
    const { callback: observed } = await connectAccount(auth0App(auth0Client((call) => calls.push(call))), alice, {
      connection: "github",
      scopes: ["repo"],
      decision: "cancel",
      returnTo: "/done",
    });
    expect(observed.status).toBe(500);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.hadSession).toBe(false);
    expect(call?.ctx).toMatchObject({ responseType: "connect_code", returnTo: "/done" });
    expect(call?.error).toMatchObject({ name: "ConnectAccountError", code: "failed_to_complete" });
    expect(call?.error?.cause).toMatchObject({
      name: "MyAccountApiError",
      status: 400,
      title: "Bad Request",
      detail: "The user cancelled the connection on the consent page.",
    });

    const accounts = await listAccounts(await refreshTokenOf(alice));
    expect(accounts.map(({ connection }) => connection)).toEqual(["google-oauth2"]);
  });
});

describe("Token Vault exchange", () => {
  let carol: SandboxSession;
  let carolRefreshToken: string;
  let bobRefreshToken: string;

  beforeAll(async () => {
    carol = await signIn("carol@example.com");
    carolRefreshToken = await refreshTokenOf(carol);
    bobRefreshToken = await refreshTokenOf(await signIn("bob@example.com"));
  });

  it("is advertised in discovery", async () => {
    const discovery = (await (await fetch(endpoint("/.well-known/openid-configuration"))).json()) as {
      grant_types_supported: string[];
    };
    expect(discovery.grant_types_supported).toContain(TOKEN_VAULT);
  });

  it("answers 401 with Auth0's body until the user connects, then the granted scopes, until disconnected", async () => {
    const before = await exchange(carolRefreshToken, "github");
    expect(before.status).toBe(401);
    expect(await before.json()).toEqual(NOT_CONNECTED);

    await allow(carol, "github", "read:user");
    const connected = await exchange(carolRefreshToken, "github");
    expect(connected.status).toBe(200);
    const body = (await connected.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      issued_token_type: FEDERATED_TOKEN,
      token_type: "Bearer",
      expires_in: 3600,
      scope: "read:user",
    });
    expect(decodeJwt(body.access_token as string)).toMatchObject({
      iss: server.issuer,
      sub: "auth0|carol",
      aud: "github",
      scope: "read:user",
      connected_account_id: expect.stringMatching(/^cac_/),
    });

    await allow(carol, "github", "repo");
    const widened = await exchange(carolRefreshToken, "github");
    expect(((await widened.json()) as { scope: string }).scope).toBe("read:user repo");

    const [account] = await listAccounts(carolRefreshToken);
    const deleter = await myAccountToken(carolRefreshToken, "delete:me:connected_accounts");
    const deleted = await myAccount(`/accounts/${account!.id}`, deleter, { method: "DELETE" });
    expect(deleted.status).toBe(204);
    const after = await exchange(carolRefreshToken, "github");
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual(NOT_CONNECTED);
  });

  it("never hands one user's account to another user's refresh token", async () => {
    const alice = await signIn("alice@example.com");
    await allow(alice, "sign-in-with-slack", "channels:read");
    expect((await exchange(await refreshTokenOf(alice), "sign-in-with-slack")).status).toBe(200);

    const bob = await exchange(bobRefreshToken, "sign-in-with-slack");
    expect(bob.status).toBe(401);
    expect(await bob.json()).toEqual(NOT_CONNECTED);
  });

  it("matches login_hint against the user's email and the account id only", async () => {
    const alice = await refreshTokenOf(await signIn("alice@example.com"));
    expect((await exchange(alice, "sign-in-with-slack", { login_hint: "alice@example.com" })).status).toBe(200);
    expect((await exchange(alice, "sign-in-with-slack", { login_hint: "bob@example.com" })).status).toBe(401);
  });

  it("rejects malformed exchanges with OAuth errors", async () => {
    const unknown = await exchange(carolRefreshToken, "dropbox");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: "invalid_request",
      error_description: "unknown connection 'dropbox'",
    });

    const badSubject = await exchange("not-a-refresh-token", "github");
    expect(badSubject.status).toBe(400);
    expect(await badSubject.json()).toMatchObject({ error: "invalid_grant" });

    const wrongType = await exchange(carolRefreshToken, "github", {
      requested_token_type: "urn:ietf:params:oauth:token-type:access_token",
    });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ error: "invalid_request" });

    const revokedToken = await refreshTokenOf(await signIn("carol@example.com"));
    const revocation = await postForm("/oauth/revoke", { token: revokedToken, token_type_hint: "refresh_token" });
    expect(revocation.status).toBe(200);
    const revoked = await exchange(revokedToken, "github");
    expect(revoked.status).toBe(400);
    expect(await revoked.json()).toMatchObject({ error: "invalid_grant" });
  });
});

describe("provider tokens", () => {
  let providerToken: string;
  let accountId: string;

  beforeAll(async () => {
    const bob = await signIn("bob@example.com");
    await allow(bob, "google-oauth2", GMAIL_READ);
    const refreshToken = await refreshTokenOf(bob);
    providerToken = await providerTokenFor(refreshToken, "google-oauth2");
    accountId = (await listAccounts(refreshToken))[0]!.id;
  });

  it("verify against the issuer's JWKS for their own connection", async () => {
    const verify = createProviderTokenVerifier({ issuer: server.issuer, connection: "google-oauth2" });
    expect(await verify(providerToken)).toEqual({
      sub: "auth0|bob",
      scopes: [GMAIL_READ],
      connectedAccountId: accountId,
    });
  });

  it("fail as invalid for another connection, when tampered with, or when they are another kind of token", async () => {
    const github = createProviderTokenVerifier({ issuer: server.issuer, connection: "github" });
    await expect(github(providerToken)).rejects.toMatchObject({ name: "ProviderTokenError", reason: "invalid" });

    const google = createProviderTokenVerifier({ issuer: server.issuer, connection: "google-oauth2" });
    const [header, payload, signature] = providerToken.split(".");
    const claims = { ...decodeJwt(providerToken), scope: "https://www.googleapis.com/auth/gmail.compose" };
    const widened = Buffer.from(JSON.stringify(claims)).toString("base64url");
    await expect(google(`${header}.${widened}.${signature}`)).rejects.toBeInstanceOf(ProviderTokenError);
    await expect(google(`${header}.${payload}`)).rejects.toMatchObject({ reason: "invalid" });

    const bobRefreshToken = await refreshTokenOf(await signIn("bob@example.com"));
    const meToken = await myAccountToken(bobRefreshToken, "read:me:connected_accounts");
    const me = createProviderTokenVerifier({ issuer: server.issuer, connection: endpoint("/me/") });
    await expect(me(meToken)).rejects.toMatchObject({ reason: "invalid" });
  });
});

describe("My Account API", () => {
  let bob: SandboxSession;
  let bobRefreshToken: string;
  let aliceRefreshToken: string;

  beforeAll(async () => {
    bob = await signIn("bob@example.com");
    bobRefreshToken = await refreshTokenOf(bob);
    aliceRefreshToken = await refreshTokenOf(await signIn("alice@example.com"));
  });

  it("issues JWTs for the me/ audience carrying only the asked-for My Account scopes", async () => {
    const token = decodeJwt(await myAccountToken(bobRefreshToken, "read:me:connected_accounts"));
    expect(token).toMatchObject({
      iss: server.issuer,
      sub: "auth0|bob",
      aud: endpoint("/me/"),
      client_id: clientId,
      scope: "read:me:connected_accounts",
    });
  });

  it("still refreshes without an audience, with offline_access in the scope as nextjs-auth0 sends it", async () => {
    for (const scope of [undefined, "openid profile email offline_access"]) {
      const response = await postForm("/oauth/token", {
        grant_type: "refresh_token",
        refresh_token: bobRefreshToken,
        ...(scope && { scope }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { access_token: string; scope: string };
      expect(body.scope).toBe("openid profile email");
      const userinfo = await fetch(endpoint("/userinfo"), {
        headers: { authorization: `Bearer ${body.access_token}` },
      });
      expect(userinfo.status).toBe(200);
    }
  });

  it("lists and deletes accounts only with the matching scope and only the caller's own", async () => {
    await connectAccount(auth0App(auth0), bob, { connection: "github", scopes: ["repo"], decision: "allow" });
    const [aliceAccount] = await listAccounts(aliceRefreshToken);
    const bobAccounts = await listAccounts(bobRefreshToken);
    const bobGithub = bobAccounts.find(({ connection }) => connection === "github")!;
    expect(bobAccounts.map(({ id }) => id)).not.toContain(aliceAccount!.id);

    const createOnly = await myAccountToken(bobRefreshToken, "create:me:connected_accounts");
    const list = await myAccount("/accounts", createOnly);
    expect(list.status).toBe(403);
    expect(list.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(await list.json()).toMatchObject({
      status: 403,
      error: "insufficient_scope",
      error_description: "The access token lacks the scope read:me:connected_accounts.",
    });

    const readOnly = await myAccountToken(bobRefreshToken, "read:me:connected_accounts");
    const deniedDelete = await myAccount(`/accounts/${bobGithub.id}`, readOnly, { method: "DELETE" });
    expect(deniedDelete.status).toBe(403);

    const deleter = await myAccountToken(bobRefreshToken, "delete:me:connected_accounts");
    const othersAccount = await myAccount(`/accounts/${aliceAccount!.id}`, deleter, { method: "DELETE" });
    expect(othersAccount.status).toBe(404);
    expect(await othersAccount.json()).toMatchObject({ error: "not_found" });
    expect(await listAccounts(aliceRefreshToken)).toContainEqual(aliceAccount);

    expect((await myAccount(`/accounts/${bobGithub.id}`, deleter, { method: "DELETE" })).status).toBe(204);
    expect((await listAccounts(bobRefreshToken)).map(({ id }) => id)).not.toContain(bobGithub.id);
  });

  it("answers 401 invalid_token without a valid My Account token", async () => {
    const missing = await myAccount("/accounts", undefined);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm="/);
    expect(await missing.json()).toMatchObject({ status: 401, error: "invalid_token" });

    const garbage = await myAccount("/accounts", "not-a-token");
    expect(garbage.status).toBe(401);
    expect(await garbage.json()).toMatchObject({ error: "invalid_token" });

    // A provider token is signed by the same key but is for another audience.
    const providerToken = await providerTokenFor(aliceRefreshToken, "google-oauth2");
    expect((await myAccount("/accounts", providerToken)).status).toBe(401);
  });

  it("refuses connect requests for unknown connections, foreign redirect URIs and unsupported scopes", async () => {
    const token = await myAccountToken(bobRefreshToken, "create:me:connected_accounts");
    const request = (overrides: Record<string, unknown>) =>
      myAccount("/connect", token, {
        method: "POST",
        body: {
          connection: "google-oauth2",
          redirect_uri: callbackUrl,
          state: "some-state",
          code_challenge: pkce().challenge,
          code_challenge_method: "S256",
          ...overrides,
        },
      });

    const unknown = await request({ connection: "dropbox" });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      error: "invalid_request",
      detail: 'Unknown connection "dropbox". The sandbox offers: google-oauth2, github, sign-in-with-slack.',
    });

    const foreign = await request({ redirect_uri: "http://localhost:9999/steal" });
    expect(foreign.status).toBe(400);
    expect(((await foreign.json()) as { detail: string }).detail).toContain("is not a callback URL registered");

    const unsupported = await request({ scopes: [CALENDAR, "https://www.googleapis.com/auth/drive"] });
    expect(unsupported.status).toBe(400);
    expect(((await unsupported.json()) as { detail: string }).detail).toBe(
      'The connection "google-oauth2" does not support the scope "https://www.googleapis.com/auth/drive".',
    );

    const plain = await request({ code_challenge_method: "plain" });
    expect(plain.status).toBe(400);
    expect(await plain.json()).toMatchObject({ validation_errors: [{ field: "code_challenge_method" }] });

    const readOnly = await myAccountToken(bobRefreshToken, "read:me:connected_accounts");
    const forbidden = await myAccount("/connect", readOnly, { method: "POST", body: {} });
    expect(forbidden.status).toBe(403);
  });

  it("spends tickets and connect sessions once, and completes only with the PKCE verifier", async () => {
    const token = await myAccountToken(bobRefreshToken, "create:me:connected_accounts");
    const { verifier, challenge } = pkce();
    const started = await myAccount("/connect", token, {
      method: "POST",
      body: {
        connection: "sign-in-with-slack",
        redirect_uri: callbackUrl,
        state: "xyz",
        code_challenge: challenge,
        code_challenge_method: "S256",
        scopes: ["groups:read", "offline_access"],
      },
    });
    expect(started.status).toBe(201);
    const connect = (await started.json()) as {
      connect_uri: string;
      connect_params: { ticket: string };
      auth_session: string;
      expires_in: number;
    };
    expect(connect).toEqual({
      connect_uri: endpoint("/connect"),
      connect_params: { ticket: expect.any(String) },
      auth_session: expect.any(String),
      expires_in: 300,
    });

    const pageUrl = `${connect.connect_uri}?ticket=${encodeURIComponent(connect.connect_params.ticket)}`;
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("See your private channels");

    const answer = () =>
      fetch(connect.connect_uri, {
        method: "POST",
        redirect: "manual",
        body: new URLSearchParams({ ticket: connect.connect_params.ticket, decision: "allow" }),
      });
    const allowed = await answer();
    expect(allowed.status).toBe(303);
    const back = new URL(allowed.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(callbackUrl);
    expect(back.searchParams.get("state")).toBe("xyz");
    const connectCode = back.searchParams.get("connect_code")!;
    expect(connectCode).toBeTruthy();

    const again = await answer();
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("This connection request has expired or was already answered.");
    expect((await fetch(pageUrl)).status).toBe(400);

    const complete = (codeVerifier: string) =>
      myAccount("/complete", token, {
        method: "POST",
        body: {
          auth_session: connect.auth_session,
          connect_code: connectCode,
          redirect_uri: callbackUrl,
          code_verifier: codeVerifier,
        },
      });
    const wrongVerifier = await complete(pkce().verifier);
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: "invalid_grant" });
    const spent = await complete(verifier);
    expect(spent.status).toBe(400);
    expect(await spent.json()).toMatchObject({
      detail: "The connect session is unknown, expired or already completed.",
    });
  });

  it("completes a connect with 201 and the account", async () => {
    const token = await myAccountToken(bobRefreshToken, "create:me:connected_accounts");
    const { verifier, challenge } = pkce();
    const connect = (await (
      await myAccount("/connect", token, {
        method: "POST",
        body: {
          connection: "sign-in-with-slack",
          redirect_uri: callbackUrl,
          state: "s",
          code_challenge: challenge,
          code_challenge_method: "S256",
          scopes: ["channels:read"],
        },
      })
    ).json()) as { connect_uri: string; connect_params: { ticket: string }; auth_session: string };
    const allowed = await fetch(connect.connect_uri, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ ticket: connect.connect_params.ticket, decision: "allow" }),
    });
    const connectCode = new URL(allowed.headers.get("location")!).searchParams.get("connect_code")!;

    const completed = await myAccount("/complete", token, {
      method: "POST",
      body: {
        auth_session: connect.auth_session,
        connect_code: connectCode,
        redirect_uri: callbackUrl,
        code_verifier: verifier,
      },
    });
    expect(completed.status).toBe(201);
    expect(await completed.json()).toEqual({
      id: expect.stringMatching(/^cac_/),
      connection: "sign-in-with-slack",
      access_type: "offline",
      // Union with the groups:read allowed in the previous test; offline_access was dropped.
      scopes: ["groups:read", "channels:read"],
      created_at: expect.any(String),
    });
  });
});

describe("My Account API paging", () => {
  let daveRefreshToken: string;
  let reader: string;

  beforeAll(async () => {
    const dave = await signIn("dave@example.com");
    daveRefreshToken = await refreshTokenOf(dave);
    await allow(dave, "google-oauth2", CALENDAR);
    await allow(dave, "github", "read:user");
    await allow(dave, "sign-in-with-slack", "channels:read");
    reader = await myAccountToken(daveRefreshToken, "read:me:connected_accounts");
  });

  const page = async (query: string) => {
    const response = await myAccount(`/accounts${query}`, reader);
    expect(response.status).toBe(200);
    return (await response.json()) as AccountsPage;
  };

  it("pages with a from cursor and take, each account once, and no next on the last page", async () => {
    const all = await page("");
    expect(all.accounts).toHaveLength(3);
    expect(all.next).toBeUndefined();

    const seen: string[] = [];
    let query = "?take=1";
    for (;;) {
      const { accounts, next } = await page(query);
      expect(accounts).toHaveLength(1);
      seen.push(accounts[0]!.id);
      if (!next) break;
      query = `?take=1&from=${encodeURIComponent(next)}`;
    }
    expect(seen).toEqual(all.accounts.map(({ id }) => id));

    const firstTwo = await page("?take=2");
    expect(firstTwo.accounts).toHaveLength(2);
    expect((await page(`?take=2&from=${encodeURIComponent(firstTwo.next!)}`)).accounts).toEqual(all.accounts.slice(2));
  });

  it("filters by connection", async () => {
    const { accounts } = await page("?connection=github");
    expect(accounts.map(({ connection }) => connection)).toEqual(["github"]);
  });

  it("refuses take outside 1–20 and an unknown cursor with 400 invalid_request", async () => {
    expect((await page("?take=20")).accounts).toHaveLength(3);
    for (const query of ["?take=21", "?take=0", "?take=ten", "?take=1.5"]) {
      const response = await myAccount(`/accounts${query}`, reader);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        status: 400,
        error: "invalid_request",
        validation_errors: [expect.objectContaining({ field: "take" })],
      });
    }
    const unknown = await myAccount("/accounts?from=bm90LWEtY3Vyc29y", reader);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: "invalid_request", validation_errors: [{ field: "from" }] });
  });
});

describe("an application without a refresh-token policy for the My Account API (refreshTokenPolicies: [])", () => {
  let bare: IdentityServer;
  let bareDataDir: string;
  let bareAuth0: Auth0Client;

  beforeAll(async () => {
    bareDataDir = await mkdtemp(path.join(tmpdir(), "delegate-no-mrrt-"));
    bare = await startIdentityServer({ port: 0, appBaseUrl, dataDir: bareDataDir, refreshTokenPolicies: [], log: () => {} });
    bareAuth0 = new Auth0Client({
      domain: bare.issuer.replace(/\/$/, ""),
      allowInsecureRequests: true,
      clientId,
      clientSecret,
      secret: sessionSecret,
      appBaseUrl,
      enableConnectAccountEndpoint: true,
    });
  });

  afterAll(async () => {
    await bare?.close();
    if (bareDataDir) await rm(bareDataDir, { recursive: true, force: true });
  });

  it("ignores the me/ audience on a refresh, as Auth0 does, so the token that comes back is refused by the My Account API", async () => {
    const signedIn = await signInWithSandbox(auth0App(bareAuth0), { email: "alice@example.com" });
    const session = await bareAuth0.getSession(new NextRequest(appBaseUrl, { headers: { cookie: signedIn.appCookie } }));
    const response = await fetch(new URL("/oauth/token", bare.issuer), {
      method: "POST",
      body: new URLSearchParams({
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: "refresh_token",
        refresh_token: session!.tokenSet.refreshToken!,
        audience: new URL("/me/", bare.issuer).href,
        scope: "openid profile email offline_access read:me:connected_accounts",
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe("openid profile email");
    const list = await fetch(new URL("/me/v1/connected-accounts/accounts", bare.issuer), {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(list.status).toBe(401);
    expect(await list.json()).toMatchObject({ error: "invalid_token" });
  });

  // The answer users of a tenant without the policy report (github.com/auth0/nextjs-auth0/issues/2461).
  it("makes nextjs-auth0's /auth/connect fail before any consent page", async () => {
    const signedIn = await signInWithSandbox(auth0App(bareAuth0), { email: "bob@example.com" });
    await expect(
      connectAccount(auth0App(bareAuth0), signedIn, { connection: "github", scopes: ["repo"], decision: "allow" }),
    ).rejects.toThrow(
      "the app's /auth/connect failed with HTTP 500: An unexpected error occurred while trying to initiate the connect account flow.",
    );
  });

  it("refuses to start with a policy for an API it does not know", async () => {
    await expect(
      startIdentityServer({
        port: 0,
        appBaseUrl,
        dataDir: bareDataDir,
        refreshTokenPolicies: [{ audience: "https://unknown.example/", scope: ["read"] }],
        log: () => {},
      }),
    ).rejects.toThrow(/no API is known by that audience/);
  });
});

describe("after a restart with providerTokenTtlSeconds: 1", () => {
  let aliceRefreshToken: string;

  beforeAll(async () => {
    aliceRefreshToken = await refreshTokenOf(await signIn("alice@example.com"));
    const port = Number(new URL(server.issuer).port);
    await server.close();
    server = await start({ port, providerTokenTtlSeconds: 1 });
  });

  it("still has the connected accounts", async () => {
    const response = await exchange(aliceRefreshToken, "google-oauth2");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ expires_in: 1, scope: `${CALENDAR} ${FREEBUSY}` });
  });

  it("mints provider tokens that fail verification as expired once their lifetime is over", async () => {
    const token = await providerTokenFor(aliceRefreshToken, "google-oauth2");
    const verify = createProviderTokenVerifier({ issuer: server.issuer, connection: "google-oauth2" });
    expect((await verify(token)).sub).toBe("auth0|alice");

    await sleep(2100);
    const failure = await verify(token).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderTokenError);
    expect(failure).toMatchObject({ reason: "expired" });
  });
});
