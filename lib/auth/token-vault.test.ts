import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { saveConnectionToken } from "@/db/queries/connection-tokens";
import type { ToolContext } from "@/lib/auth/tool-context";
import { listCalendarEvents } from "@/lib/integrations/google";
import { callProvider } from "@/lib/integrations/http";
import { injectFault } from "@/sandbox/faults";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { encrypt } from "./encryption";
import { deleteConnectedAccount, listConnectedAccounts } from "./my-account";
import { getConnectionToken, TokenVaultInterruptError, TokenVaultUnavailableError } from "./token-vault";
import { withTokenVault } from "./with-token-vault";

// The Token Vault authorizer against the real sandbox identity server and provider APIs, with the token cache
// in a real Postgres. Every case of "what can go wrong" the chat has to tell apart.
const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const GMAIL_READ = "https://www.googleapis.com/auth/gmail.readonly";

const harness = setUpSandboxHarness();
let alice: SignedInUser;
let bob: SignedInUser;
let flaky: { url: string; close: () => Promise<void> };

const contextOf = (user: SignedInUser): ToolContext => ({
  user: { sub: user.sub, name: user.name, email: user.email, picture: null },
  refreshToken: user.refreshToken,
  chatId: crypto.randomUUID(),
  timeZone: "UTC",
});

/** A provider that fails on purpose: /status/503, /status/429, /hang (never answers). */
function startFlakyProvider(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === "/hang") return; // left open until the client gives up
    const status = Number(req.url?.split("/").pop());
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: "nope" }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

beforeAll(async () => {
  flaky = await startFlakyProvider();
  alice = await harness.sandbox.signIn("alice@example.com");
  bob = await harness.sandbox.signIn("bob@example.com");
});

afterAll(async () => {
  await flaky?.close();
});

async function interruptOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVaultInterruptError);
  return (error as TokenVaultInterruptError).interrupt;
}

// Each test connects what it needs itself; nothing here connects bob's Google account.
describe("withTokenVault / getConnectionToken", () => {
  it("asks to connect when the account is not connected", async () => {
    const interrupt = await interruptOf(
      getConnectionToken({ userId: bob.sub, refreshToken: bob.refreshToken, connection: "google-oauth2", scopes: [CALENDAR] }),
    );
    expect(interrupt).toMatchObject({ name: "AUTH0_AI_INTERRUPT", code: "TOKEN_VAULT_ERROR", reason: "not_connected", connection: "google-oauth2", requiredScopes: [CALENDAR] });
  });

  it("exchanges the refresh token once connected, caches the token encrypted, and serves the cache", async () => {
    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    const request = { userId: alice.sub, refreshToken: alice.refreshToken, connection: "google-oauth2" as const, scopes: [CALENDAR] };
    const token = await getConnectionToken(request);
    const events = await listCalendarEvents(token, { timeMin: new Date(Date.now() - 864e5).toISOString(), timeMax: new Date(Date.now() + 864e5).toISOString() });
    expect(events.map((e) => e.summary)).toContain("Dentist appointment");

    // Each exchange mints a new token (new jti): getting the same one back means it came from the cache.
    expect(await getConnectionToken(request)).toBe(token);
    const rows = await harness.sql`select encrypted_token, scopes, expires_at from connection_tokens where user_id = ${alice.sub}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.encrypted_token).not.toContain(token.slice(0, 20));
    expect(rows[0]?.encrypted_token).not.toMatch(/^eyJ/);
    expect(rows[0]?.scopes).toEqual([CALENDAR]);
    expect(new Date(rows[0]?.expires_at).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
  });

  it("asks only for the additional scopes when the connection lacks some", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    await harness.sandbox.connect(carol, "google-oauth2", [CALENDAR]);
    const request = { userId: carol.sub, refreshToken: carol.refreshToken, connection: "google-oauth2" as const, scopes: [CALENDAR, GMAIL_READ] };
    const interrupt = await interruptOf(getConnectionToken(request));
    expect(interrupt).toMatchObject({ reason: "missing_scopes", requiredScopes: [GMAIL_READ] });
    await harness.sandbox.connect(carol, "google-oauth2", [GMAIL_READ]);
    const token = await getConnectionToken(request);
    expect(token).toMatch(/^eyJ/);
  });

  it("drops a token the provider rejects and asks to reconnect", async () => {
    await saveConnectionToken({
      userId: alice.sub,
      connection: "google-oauth2",
      encryptedToken: encrypt("forged-or-revoked-token", `${alice.sub}|google-oauth2`),
      scopes: [CALENDAR],
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const run = withTokenVault(contextOf(alice), { connection: "google-oauth2", scopes: [CALENDAR] }, (_: object, token) =>
      listCalendarEvents(token, { timeMin: new Date().toISOString(), timeMax: new Date(Date.now() + 864e5).toISOString() }),
    );
    expect(await run({})).toMatchObject({ interrupt: { reason: "token_rejected", connection: "google-oauth2" } });
    expect(await harness.sql`select 1 from connection_tokens where user_id = ${alice.sub}`).toHaveLength(0);
  });

  it("turns provider outages into an error the model can explain, without a prompt", async () => {
    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    const call = (path: string, timeoutMs?: number) =>
      withTokenVault(contextOf(alice), { connection: "google-oauth2", scopes: [CALENDAR] }, (_: object, token) =>
        callProvider({ service: "Google", url: new URL(path, flaky.url), token, timeoutMs }),
      )({});
    expect(await call("/status/503")).toEqual({ error: "Google is not answering right now (HTTP 503). Try again later." });
    expect(await call("/status/429")).toEqual({ error: "Google is limiting requests right now. Try again in a minute." });
    expect(await call("/hang", 200)).toEqual({ error: "Google is not answering right now. Try again later." });
    // The cached token survives outages: they say nothing about its validity.
    expect(await harness.sql`select 1 from connection_tokens where user_id = ${alice.sub}`).toHaveLength(1);
  });

  it("never gives one user another user's connected account", async () => {
    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    const interrupt = await interruptOf(
      getConnectionToken({ userId: bob.sub, refreshToken: bob.refreshToken, connection: "google-oauth2", scopes: [CALENDAR] }),
    );
    expect(interrupt.reason).toBe("not_connected");
    // Even with alice's user id, bob's refresh token only reaches bob's (absent) account.
    await harness.sql`delete from connection_tokens`;
    await interruptOf(getConnectionToken({ userId: alice.sub, refreshToken: bob.refreshToken, connection: "google-oauth2", scopes: [CALENDAR] }));
  });

  describe("Token Vault refusals that connecting would not fix", () => {
    const TOKEN_VAULT_GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token";
    let ran: boolean;
    const listRepos = (user: SignedInUser) =>
      withTokenVault(contextOf(user), { connection: "github", scopes: ["read:user"] }, async () => {
        ran = true;
        return { repositories: [] };
      })({});
    // Auth0's answers, word for word, queued for bob's next GitHub exchange.
    const tokenVaultFault = (status: number, body: object, headers?: Record<string, string>, times = 1) =>
      injectFault(harness.sandbox.issuer, {
        method: "POST",
        path: "/oauth/token",
        params: { grant_type: TOKEN_VAULT_GRANT, connection: "github" },
        status,
        headers,
        body,
        times,
      });

    beforeAll(async () => {
      await harness.sandbox.connect(bob, "github", ["read:user"]);
    });

    beforeEach(async () => {
      ran = false;
      await harness.sql`delete from connection_tokens`;
    });

    it("asks to sign in again, not to connect, when the Auth0 refresh token is revoked (invalid_grant)", async () => {
      const carol = await harness.sandbox.signIn("carol@example.com");
      await harness.sandbox.connect(carol, "github", ["read:user"]);
      const revoked = await fetch(`${harness.sandbox.issuer}oauth/revoke`, {
        method: "POST",
        body: new URLSearchParams({
          token: carol.refreshToken,
          token_type_hint: "refresh_token",
          client_id: "delegate-app",
          client_secret: "delegate-sandbox-secret",
        }),
      });
      expect(revoked.status).toBe(200);
      expect(await listRepos(carol)).toEqual({
        error: "Your Delegate sign-in has expired or was revoked, so Delegate cannot reach your GitHub account. Sign out and sign in again; your connected accounts stay connected.",
      });
      expect(ran).toBe(false);
    });

    it("names the grant the administrator must enable when Token Vault is not enabled for the application", async () => {
      await tokenVaultFault(403, {
        error: "unauthorized_client",
        error_description: `Grant type '${TOKEN_VAULT_GRANT}' not allowed for the client.`,
      });
      const output = (await listRepos(bob)) as { error: string };
      expect(output.error).toContain(`the administrator must enable the Token Vault grant type (${TOKEN_VAULT_GRANT})`);
      expect(output).not.toHaveProperty("interrupt");
      expect(ran).toBe(false);
    });

    it("names the MFA policy when the tenant asks for multi-factor authentication", async () => {
      await tokenVaultFault(403, {
        error: "mfa_required",
        error_description: "Multifactor authentication required",
        mfa_token: "Fe26.2*mfa-token",
      });
      const output = (await listRepos(bob)) as { error: string };
      expect(output.error).toContain(`the administrator must set the tenant's multi-factor authentication policy to "Never"`);
      expect(ran).toBe(false);
    });

    it("waits as long as Auth0 asks when rate limited, then runs the tool", async () => {
      await tokenVaultFault(429, { error: "too_many_requests", error_description: "Global limit has been reached" }, { "retry-after": "1" });
      const started = Date.now();
      expect(await listRepos(bob)).toEqual({ repositories: [] });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(ran).toBe(true);
    });

    it("says when to try again when the wait Auth0 asks for is longer than a chat reply can bear", async () => {
      const reset = String(Math.floor(Date.now() / 1000) + 45);
      await tokenVaultFault(
        429,
        { error: "too_many_requests", error_description: "Global limit has been reached" },
        { "x-ratelimit-limit": "30", "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset },
      );
      const output = (await listRepos(bob)) as { error: string };
      expect(output.error).toMatch(/^The identity service is limiting requests right now\. Try again in 4[4-6] seconds\. Nothing was done\.$/);
      expect(ran).toBe(false);
    });

    it("still asks to connect when Auth0 has no connected account for the connection", async () => {
      await tokenVaultFault(401, { error: "federated_connection_refresh_token_not_found", error_description: "Federated connection Refresh Token not found." });
      expect(await listRepos(bob)).toMatchObject({ interrupt: { reason: "not_connected", connection: "github" } });
      expect(ran).toBe(false);
    });
  });

  it("lists every connected account across My Account pages, and disconnects one", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    await harness.sandbox.connect(dave, "google-oauth2", [CALENDAR]);
    await harness.sandbox.connect(dave, "github", ["read:user"]);
    await harness.sandbox.connect(dave, "sign-in-with-slack", ["channels:read"]);
    const onePerPage = await listConnectedAccounts(dave.refreshToken, { pageSize: 1 });
    expect(onePerPage.map(({ connection }) => connection).sort()).toEqual(["github", "google-oauth2", "sign-in-with-slack"]);
    expect(await listConnectedAccounts(dave.refreshToken)).toEqual(onePerPage);
    // Auth0 pages at most 20 at a time; the stand-in refuses more, as Auth0 does.
    await expect(listConnectedAccounts(dave.refreshToken, { pageSize: 21 })).rejects.toThrow("My Account API answered HTTP 400");

    const github = onePerPage.find(({ connection }) => connection === "github")!;
    await deleteConnectedAccount(dave.refreshToken, github.id);
    expect((await listConnectedAccounts(dave.refreshToken, { pageSize: 2 })).map(({ id }) => id)).not.toContain(github.id);
  });

  it("refuses, without running the tool, when the identity server cannot answer", async () => {
    await harness.sandbox.stopIdentity();
    let ran = false;
    const run = withTokenVault(contextOf(bob), { connection: "github", scopes: ["repo"] }, async () => {
      ran = true;
      return {};
    });
    const output = await run({});
    expect(output).toEqual({ error: "Could not get access to your GitHub account: the identity service did not answer. Nothing was done." });
    expect(ran).toBe(false);
    await expect(
      getConnectionToken({ userId: bob.sub, refreshToken: bob.refreshToken, connection: "github", scopes: ["repo"] }),
    ).rejects.toBeInstanceOf(TokenVaultUnavailableError);
  });
});
