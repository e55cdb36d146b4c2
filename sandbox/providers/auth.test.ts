import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startProviderApis } from "./server";
import { ALL_GOOGLE_SCOPES, GOOGLE_SCOPES, startTestProviders, type TestProviders, type TokenClaims } from "./test-support";

let sandbox: TestProviders;

beforeAll(async () => {
  sandbox = await startTestProviders({ now: new Date("2025-03-10T16:00:00Z"), timeZone: "America/New_York" });
});

afterAll(async () => {
  await sandbox?.close();
});

const ALICE = "auth0|alice";

interface ProviderCase {
  name: string;
  connection: string;
  scopes: string[];
  call(token?: string): Promise<Response>;
}

const providers: ProviderCase[] = [
  {
    name: "Google Calendar",
    connection: "google-oauth2",
    scopes: [GOOGLE_SCOPES.events],
    call: (token) =>
      fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/calendars/primary/events?singleEvents=true&orderBy=startTime`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
  },
  {
    name: "Gmail",
    connection: "google-oauth2",
    scopes: [GOOGLE_SCOPES.gmailRead],
    call: (token) =>
      fetch(`${sandbox.apis.baseUrls.google}/gmail/v1/users/me/messages?q=invoice`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      }),
  },
  {
    name: "GitHub",
    connection: "github",
    scopes: ["repo", "read:user"],
    call: (token) => fetch(`${sandbox.apis.baseUrls.github}/user`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  },
  {
    name: "Slack",
    connection: "sign-in-with-slack",
    scopes: ["channels:read"],
    call: (token) =>
      fetch(`${sandbox.apis.baseUrls.slack}/conversations.list`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
  },
];

const mint = (claims: Partial<TokenClaims> & Pick<TokenClaims, "aud" | "scopes">) => sandbox.issuer.mint({ sub: ALICE, ...claims });

/** What each provider answers to a refused token, in its own words. */
async function expectRefused(provider: ProviderCase, response: Response, kind: "missing" | "invalid" | "expired") {
  const body = await response.json();
  if (provider.connection === "google-oauth2") {
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="https:\/\/accounts\.google\.com\/"/);
    expect(body.error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    if (kind === "missing") {
      expect(body.error.message).toMatch(/^Request is missing required authentication credential/);
      expect(body.error.errors).toEqual([
        { message: "Login Required.", domain: "global", reason: "required", location: "Authorization", locationType: "header" },
      ]);
    } else {
      expect(body.error.message).toMatch(/^Request had invalid authentication credentials\. Expected OAuth 2 access token/);
      expect(body.error.errors).toEqual([
        { message: "Invalid Credentials", domain: "global", reason: "authError", location: "Authorization", locationType: "header" },
      ]);
    }
  } else if (provider.connection === "github") {
    expect(response.status).toBe(401);
    expect(body).toEqual({
      message: kind === "missing" ? "Requires authentication" : "Bad credentials",
      documentation_url: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
      status: "401",
    });
  } else {
    expect(response.status).toBe(200);
    expect(body).toEqual({ ok: false, error: { missing: "not_authed", invalid: "invalid_auth", expired: "token_expired" }[kind] });
  }
}

describe.each(providers)("$name token checks", (provider) => {
  it("serves a valid token for its connection", async () => {
    const response = await provider.call(await mint({ aud: provider.connection, scopes: provider.scopes }));
    expect(response.status).toBe(200);
    if (provider.connection === "sign-in-with-slack") expect(await response.json()).toMatchObject({ ok: true });
  });

  it("refuses a request without a token", async () => {
    await expectRefused(provider, await provider.call(), "missing");
  });

  it("refuses a token that is not a JWT, or not signed by the issuer", async () => {
    await expectRefused(provider, await provider.call("not-a-token"), "invalid");
    const forged = await mint({ aud: provider.connection, scopes: provider.scopes, forged: true });
    await expectRefused(provider, await provider.call(forged), "invalid");
  });

  it("refuses an expired token", async () => {
    const expired = await mint({ aud: provider.connection, scopes: provider.scopes, expiresIn: -60 });
    await expectRefused(provider, await provider.call(expired), "expired");
  });

  it("refuses a token minted for another connection", async () => {
    const other = providers.find((candidate) => candidate.connection !== provider.connection);
    const token = await mint({ aud: other?.connection ?? "other", scopes: provider.scopes });
    await expectRefused(provider, await provider.call(token), "invalid");
  });
});

describe("missing scopes", () => {
  it("Google answers 403 insufficientPermissions with the scopes it would accept", async () => {
    const provider = providers[0]!;
    const response = await provider.call(await mint({ aud: "google-oauth2", scopes: [GOOGLE_SCOPES.gmailRead] }));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.headers.get("www-authenticate")).toContain(GOOGLE_SCOPES.events);
    const body = await response.json();
    expect(body.error).toMatchObject({
      code: 403,
      message: "Request had insufficient authentication scopes.",
      errors: [{ message: "Insufficient Permission", domain: "global", reason: "insufficientPermissions" }],
      status: "PERMISSION_DENIED",
    });
    expect(body.error.details[0]).toMatchObject({ reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT" });
  });

  it("Gmail refuses a calendar-only token", async () => {
    const response = await providers[1]!.call(await mint({ aud: "google-oauth2", scopes: [GOOGLE_SCOPES.events, GOOGLE_SCOPES.freeBusy] }));
    expect(response.status).toBe(403);
  });

  it("GitHub answers 403 and names granted and accepted scopes", async () => {
    const token = await mint({ aud: "github", scopes: ["repo"] });
    const response = await fetch(`${sandbox.apis.baseUrls.github}/users/alice/events`, { headers: { authorization: `token ${token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-oauth-scopes")).toBe("repo");
    expect(response.headers.get("x-accepted-oauth-scopes")).toBe("read:user, user");
    expect(await response.json()).toEqual({
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest/activity/events#list-events-for-the-authenticated-user",
      status: "403",
    });
  });

  it("Slack answers HTTP 200 with missing_scope, needed and provided", async () => {
    const response = await providers[3]!.call(await mint({ aud: "sign-in-with-slack", scopes: ["openid", "profile"] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: false, error: "missing_scope", needed: "channels:read", provided: "openid,profile" });
  });
});

describe("request log", () => {
  it("writes method, path and status, never the token or the query", async () => {
    const token = await mint({ aud: "google-oauth2", scopes: ALL_GOOGLE_SCOPES });
    await fetch(`${sandbox.apis.baseUrls.google}/gmail/v1/users/me/messages?q=secret-words`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${sandbox.apis.baseUrls.slack}/conversations.list`, { method: "POST", body: new URLSearchParams({ token }) });
    const joined = sandbox.logs.join("\n");
    expect(joined).toMatch(/\[sandbox:providers\] GET \/google\/gmail\/v1\/users\/me\/messages 200 \d+ms/);
    expect(joined).toMatch(/\[sandbox:providers\] POST \/slack\/conversations\.list 200 \d+ms \(token invalid\)/);
    expect(joined).not.toContain(token);
    expect(joined).not.toContain("secret-words");
  });
});

describe("an unreachable issuer", () => {
  it("is the service's fault, not the token's: Google answers 503 in its own shape", async () => {
    const apis = await startProviderApis({ port: 0, issuer: "http://127.0.0.1:9/", log: () => {} });
    try {
      const token = await mint({ aud: "google-oauth2", scopes: ALL_GOOGLE_SCOPES });
      const response = await fetch(`${apis.baseUrls.google}/gmail/v1/users/me/messages`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(503);
      expect((await response.json()).error).toMatchObject({ code: 503, status: "UNAVAILABLE" });
    } finally {
      await apis.close();
    }
  });
});
