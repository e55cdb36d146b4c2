import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ToolContext } from "@/lib/ai/tools/context";
import { callProvider } from "@/lib/integrations/http";
import { listCalendarEvents } from "@/lib/integrations/google";
import { startSandboxHarness, type SandboxHarness, type SignedInUser } from "@/sandbox/test-harness";
import { encrypt } from "./encryption";
import { saveConnectionToken } from "@/db/queries/connection-tokens";
import { getConnectionToken, TokenVaultInterruptError, TokenVaultUnavailableError } from "./token-vault";
import { withTokenVault } from "./with-token-vault";

// The Token Vault authorizer against the real sandbox identity server and provider APIs, with the token cache
// in a real Postgres. Every case of "what can go wrong" the chat has to tell apart.
const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const GMAIL_READ = "https://www.googleapis.com/auth/gmail.readonly";

let sandbox: SandboxHarness;
let sql: postgres.Sql;
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
  sandbox = await startSandboxHarness();
  sql = postgres(sandbox.databaseUrl, { max: 1 });
  flaky = await startFlakyProvider();
  alice = await sandbox.signIn("alice@example.com");
  bob = await sandbox.signIn("bob@example.com");
});

afterAll(async () => {
  await sql?.end();
  await flaky?.close();
  await sandbox?.close();
});

async function interruptOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenVaultInterruptError);
  return (error as TokenVaultInterruptError).interrupt;
}

describe("withTokenVault / getConnectionToken", () => {
  it("asks to connect when the account is not connected", async () => {
    const interrupt = await interruptOf(
      getConnectionToken({ userId: alice.sub, refreshToken: alice.refreshToken, connection: "google-oauth2", scopes: [CALENDAR] }),
    );
    expect(interrupt).toMatchObject({ name: "AUTH0_AI_INTERRUPT", code: "TOKEN_VAULT_ERROR", reason: "not_connected", connection: "google-oauth2", requiredScopes: [CALENDAR] });
  });

  it("exchanges the refresh token once connected, caches the token encrypted, and serves the cache", async () => {
    await sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    const request = { userId: alice.sub, refreshToken: alice.refreshToken, connection: "google-oauth2" as const, scopes: [CALENDAR] };
    const token = await getConnectionToken(request);
    const events = await listCalendarEvents(token, { timeMin: new Date(Date.now() - 864e5).toISOString(), timeMax: new Date(Date.now() + 864e5).toISOString() });
    expect(events.map((e) => e.summary)).toContain("Dentist appointment");

    // Each exchange mints a new token (new jti): getting the same one back means it came from the cache.
    expect(await getConnectionToken(request)).toBe(token);
    const rows = await sql`select encrypted_token, scopes, expires_at from connection_tokens where user_id = ${alice.sub}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.encrypted_token).not.toContain(token.slice(0, 20));
    expect(rows[0]?.encrypted_token).not.toMatch(/^eyJ/);
    expect(rows[0]?.scopes).toEqual([CALENDAR]);
    expect(new Date(rows[0]?.expires_at).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
  });

  it("asks only for the additional scopes when the connection lacks some", async () => {
    const interrupt = await interruptOf(
      getConnectionToken({ userId: alice.sub, refreshToken: alice.refreshToken, connection: "google-oauth2", scopes: [CALENDAR, GMAIL_READ] }),
    );
    expect(interrupt).toMatchObject({ reason: "missing_scopes", requiredScopes: [GMAIL_READ] });
    await sandbox.connect(alice, "google-oauth2", [GMAIL_READ]);
    const token = await getConnectionToken({ userId: alice.sub, refreshToken: alice.refreshToken, connection: "google-oauth2", scopes: [CALENDAR, GMAIL_READ] });
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
    expect(await sql`select 1 from connection_tokens where user_id = ${alice.sub}`).toHaveLength(0);
  });

  it("turns provider outages into an error the model can explain, without a prompt", async () => {
    const call = (path: string, timeoutMs?: number) =>
      withTokenVault(contextOf(alice), { connection: "google-oauth2", scopes: [CALENDAR] }, (_: object, token) =>
        callProvider({ service: "Google", url: new URL(path, flaky.url), token, timeoutMs }),
      )({});
    expect(await call("/status/503")).toEqual({ error: "Google is not answering right now (HTTP 503). Try again later." });
    expect(await call("/status/429")).toEqual({ error: "Google is limiting requests right now. Try again in a minute." });
    expect(await call("/hang", 200)).toEqual({ error: "Google is not answering right now. Try again later." });
    // The cached token survives outages: they say nothing about its validity.
    expect(await sql`select 1 from connection_tokens where user_id = ${alice.sub}`).toHaveLength(1);
  });

  it("never gives one user another user's connected account", async () => {
    const interrupt = await interruptOf(
      getConnectionToken({ userId: bob.sub, refreshToken: bob.refreshToken, connection: "google-oauth2", scopes: [CALENDAR] }),
    );
    expect(interrupt.reason).toBe("not_connected");
    // Even with alice's user id, bob's refresh token only reaches bob's (absent) account.
    await sql`delete from connection_tokens`;
    await interruptOf(getConnectionToken({ userId: alice.sub, refreshToken: bob.refreshToken, connection: "google-oauth2", scopes: [CALENDAR] }));
  });

  it("refuses, without running the tool, when the identity server cannot answer", async () => {
    await sandbox.stopIdentity();
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
