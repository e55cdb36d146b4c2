import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSandboxHarness, type SandboxHarness, type SignedInUser } from "@/sandbox/test-harness";
import { DELETE } from "../api/connections/[id]/route";
import ConnectionsPage from "./page";

// /connections and the disconnect route against a sandbox whose application lacks the My Account refresh-token
// policy. Only the session lookup is replaced (it reads the request's cookies, which a test has none of); every
// call to the identity server is real.
const session = vi.hoisted(() => ({ current: null as { user: { sub: string }; refreshToken: string } | null }));
vi.mock("@/lib/auth/session", () => ({ getAgentSession: async () => session.current }));

const POLICY = "the administrator must enable the Multi-Resource Refresh Token policy for the My Account API on the application";
/** The text a reader sees, tags removed. */
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

let sandbox: SandboxHarness;
let alice: SignedInUser;

beforeAll(async () => {
  sandbox = await startSandboxHarness({ refreshTokenPolicies: [] });
  alice = await sandbox.signIn("alice@example.com");
  session.current = { user: { sub: alice.sub }, refreshToken: alice.refreshToken };
});

afterAll(async () => {
  await sandbox?.close();
});

const renderPage = async (searchParams: { connect_error?: string } = {}) =>
  renderToStaticMarkup(await ConnectionsPage({ searchParams: Promise.resolve(searchParams) }));

describe("/connections when it cannot list the accounts", () => {
  it("names the policy the administrator must enable, and offers no Connect that could not work", async () => {
    const html = await renderPage();
    expect(text(html)).toContain(POLICY);
    expect(html).toContain('role="alert"');
    expect(html).not.toContain("Try again");
    expect(html).not.toContain('aria-label="Connect ');
    expect(html).not.toContain("/auth/connect");
  });

  it("says the same after /auth/connect sent the browser back with connect_error=my_account_policy", async () => {
    const html = await renderPage({ connect_error: "my_account_policy" });
    expect(text(html)).toContain(POLICY);
    expect(text(html)).not.toContain("the connection was cancelled or failed");
  });

  it("asks to sign in again, not to try again, when the login refresh token was revoked", async () => {
    const carol = await sandbox.signIn("carol@example.com");
    const revoked = await fetch(`${sandbox.issuer}oauth/revoke`, {
      method: "POST",
      body: new URLSearchParams({
        token: carol.refreshToken,
        token_type_hint: "refresh_token",
        client_id: "delegate-app",
        client_secret: "delegate-sandbox-secret",
      }),
    });
    expect(revoked.status).toBe(200);
    session.current = { user: { sub: carol.sub }, refreshToken: carol.refreshToken };
    try {
      const html = await renderPage();
      expect(text(html)).toContain("Your Delegate sign-in has expired or was revoked. Sign out and sign in again to manage your connections.");
      expect(text(html)).not.toContain("Try again");
      const response = await DELETE(new Request("http://localhost:3000/api/connections/cac_x", { method: "DELETE" }), {
        params: Promise.resolve({ id: "cac_x" }),
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain("Sign out and sign in again");
    } finally {
      session.current = { user: { sub: alice.sub }, refreshToken: alice.refreshToken };
    }
  });

  it("the disconnect route answers 403 with the same message, not 'try again'", async () => {
    const response = await DELETE(new Request("http://localhost:3000/api/connections/cac_x", { method: "DELETE" }), {
      params: Promise.resolve({ id: "cac_x" }),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("forbidden");
    expect(body.error.message).toContain(POLICY);
  });
});
