import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startIdentityServer, type IdentityServer } from "./server";
import {
  readAuthenticator,
  signInToAuthenticator,
  submitDecision,
  type AuthenticatorSession,
} from "./test-authenticator";
import { loginHintFor, pollToken, PURCHASE_TYPE, SANDBOX_CLIENT, SHOP_API_REGISTRATION, SHOP_AUDIENCE, startApproval } from "./test-ciba";
import { auth0App, CookieJar, signInWithSandbox } from "./test-login";

let dataDir: string;
let server: IdentityServer;

let counter = 0;
const uniqueMessage = (text = "Buy 2 x Acme Widget for at most 39.98") => `${text} n${++counter}`;

async function ask(sub: string, overrides: Record<string, string | undefined> = {}) {
  const bindingMessage = overrides.binding_message ?? uniqueMessage();
  const authReqId = await startApproval(server.issuer, {
    login_hint: loginHintFor(server.issuer, sub),
    ...overrides,
    binding_message: bindingMessage,
  });
  return { authReqId, bindingMessage };
}

const signIn = (email: string) => signInToAuthenticator({ issuer: server.issuer, email });

async function get(session: AuthenticatorSession | undefined, pathname: string): Promise<Response> {
  const url = new URL(pathname, server.issuer);
  return fetch(url, { redirect: "manual", headers: session ? { cookie: session.jar.header(url) } : {} });
}

async function stillPending(authReqId: string): Promise<boolean> {
  // Each check polls once; the sandbox's 1 s interval keeps checks of one request apart.
  const body = (await (await pollToken(server.issuer, authReqId)).json()) as { error?: string };
  return body.error === "authorization_pending";
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "delegate-authenticator-"));
  server = await startIdentityServer({
    port: 0,
    appBaseUrl: "http://localhost:3000",
    dataDir,
    cibaIntervalSeconds: 1,
    apiAudiences: { [SHOP_AUDIENCE]: SHOP_API_REGISTRATION },
    log: () => {},
  });
});

afterAll(async () => {
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("the sandbox authenticator page", () => {
  it("asks a signed-out visitor to sign in with the sandbox's login form", async () => {
    const response = await get(undefined, "/authenticator");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(html).toContain("<h1>Delegate sandbox authenticator</h1>");
    expect(html).toContain('<form method="post" action="/authenticator/sign-in">');
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).toMatch(/<input type="hidden" name="login_token" value="[^"]+">/);
  });

  it("refuses a wrong password, and a sign-in form it did not hand out", async () => {
    const jar = new CookieJar();
    const page = await fetch(new URL("/authenticator", server.issuer));
    jar.store(page);
    const loginToken = /name="login_token" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
    const url = new URL("/authenticator/sign-in", server.issuer);
    const post = (fields: Record<string, string>) =>
      fetch(url, { method: "POST", redirect: "manual", headers: { cookie: jar.header(url) }, body: new URLSearchParams(fields) });

    const wrongPassword = await post({ email: "alice@example.com", password: "nope", login_token: loginToken });
    expect(wrongPassword.status).toBe(401);
    expect(await wrongPassword.text()).toContain('<p role="alert" id="login-error">Wrong email or password.');

    const forged = await fetch(url, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ email: "alice@example.com", password: "delegate-demo", login_token: loginToken }),
    });
    expect(forged.status).toBe(403);
  });

  it("shows the signed-in user's pending request with its details, app, time left and buttons", async () => {
    const { bindingMessage } = await ask("auth0|alice");
    const session = await signIn("alice@example.com");
    const view = await readAuthenticator(session);
    expect(view.html).toContain("<h1>Delegate sandbox authenticator</h1>");
    expect(view.html).toContain("not Auth0 Guardian");
    expect(view.html).toContain("Signed in as <strong>Alice Martin</strong>");
    expect(view.html).toContain('<button type="submit" class="secondary">Sign out</button>');

    const request = view.requests.find((entry) => entry.bindingMessage === bindingMessage);
    expect(request?.instruction).toBe("Buy 2 x Acme Widget for at most 39.98 USD");
    expect(request?.details).toEqual(["Product: Acme Widget", "Quantity: 2", "Maximum total: 39.98", "Currency: USD"]);
    expect(request?.secondsLeft).toBeGreaterThan(290);
    expect(request?.secondsLeft).toBeLessThanOrEqual(300);
    const article = view.html.slice(view.html.indexOf(`<article aria-label="${bindingMessage}"`));
    const articleHtml = article.slice(0, article.indexOf("</article>"));
    expect(articleHtml).toContain(`<h3>${bindingMessage}</h3>`);
    expect(articleHtml).toContain("Requested by <strong>Delegate</strong>");
    expect(articleHtml).toContain('<button type="submit" name="decision" value="approve">Approve</button>');
    expect(articleHtml).toContain('<button type="submit" name="decision" value="deny" class="secondary">Deny</button>');
    // The page refreshes its list and counts down by itself.
    expect(view.html).toContain('fetch("/authenticator/pending"');
  });

  it("lists only the signed-in user's requests, each with its own buttons", async () => {
    const alices = [await ask("auth0|alice"), await ask("auth0|alice")];
    const bobs = await ask("auth0|bob");

    const alice = await readAuthenticator(await signIn("alice@example.com"));
    const aliceMessages = alice.requests.map((request) => request.bindingMessage);
    expect(aliceMessages).toEqual(expect.arrayContaining(alices.map((request) => request.bindingMessage)));
    expect(aliceMessages).not.toContain(bobs.bindingMessage);
    expect(alice.html.match(/>Approve<\/button>/g)?.length).toBe(alice.requests.length);

    const bob = await readAuthenticator(await signIn("bob@example.com"));
    expect(bob.requests.map((request) => request.bindingMessage)).toEqual([bobs.bindingMessage]);
  });

  it("shows new requests in its self-refreshing list without a reload", async () => {
    const session = await signIn("carol@example.com");
    const before = await (await get(session, "/authenticator/pending")).text();
    const { bindingMessage } = await ask("auth0|carol");
    const after = await (await get(session, "/authenticator/pending")).text();
    expect(before).not.toContain(bindingMessage);
    expect(after).toMatch(/^<section id="pending-requests"/);
    expect(after).toContain(`<article aria-label="${bindingMessage}"`);
    expect((await get(undefined, "/authenticator/pending")).status).toBe(401);
  });

  it("refuses an answer without the session's anti-forgery token", async () => {
    const { authReqId, bindingMessage } = await ask("auth0|alice");
    const alice = await signIn("alice@example.com");
    const request = (await readAuthenticator(alice)).requests.find((entry) => entry.bindingMessage === bindingMessage);
    if (!request) throw new Error("the request is not listed");
    const bob = await signIn("bob@example.com");
    const bobsToken = (await readAuthenticator(bob)).html.match(/name="csrf" value="([^"]+)"/)?.[1] ?? "";

    for (const csrf of ["", "forged", bobsToken]) {
      const response = await submitDecision(alice, { requestId: request.id, decision: "approve", csrf });
      expect(response.status, `csrf "${csrf}"`).toBe(403);
    }
    expect(await stillPending(authReqId)).toBe(true);
    expect((await readAuthenticator(alice)).requests.map((entry) => entry.id)).toContain(request.id);
  });

  it("refuses to answer another user's request", async () => {
    const { authReqId, bindingMessage } = await ask("auth0|alice");
    const alice = await signIn("alice@example.com");
    const request = (await readAuthenticator(alice)).requests.find((entry) => entry.bindingMessage === bindingMessage);
    if (!request) throw new Error("the request is not listed");

    const bob = await signIn("bob@example.com");
    const bobsToken = (await readAuthenticator(bob)).html.match(/name="csrf" value="([^"]+)"/)?.[1] ?? "";
    for (const decision of ["approve", "deny"] as const) {
      const response = await submitDecision(bob, { requestId: request.id, decision, csrf: bobsToken });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain("not found");
    }
    expect(await stillPending(authReqId)).toBe(true);
    expect((await readAuthenticator(alice)).requests.map((entry) => entry.id)).toContain(request.id);
  });

  it("refuses a decision other than Approve or Deny, and answers nothing for a signed-out browser", async () => {
    const { bindingMessage } = await ask("auth0|alice");
    const alice = await signIn("alice@example.com");
    const request = (await readAuthenticator(alice)).requests.find((entry) => entry.bindingMessage === bindingMessage);
    if (!request) throw new Error("the request is not listed");
    const url = new URL("/authenticator/decision", server.issuer);
    const maybe = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: alice.jar.header(url) },
      body: new URLSearchParams({ csrf: request.csrf, request: request.id, decision: "maybe" }),
    });
    expect(maybe.status).toBe(400);

    const signedOut = await fetch(url, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams({ csrf: request.csrf, request: request.id, decision: "approve" }),
    });
    expect(signedOut.status).toBe(401);
  });

  it("signs out, so another user can sign in", async () => {
    const session = await signIn("bob@example.com");
    const { html } = await readAuthenticator(session);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const url = new URL("/authenticator/sign-out", server.issuer);
    const signOut = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: session.jar.header(url) },
      body: new URLSearchParams({ csrf }),
    });
    expect(signOut.status).toBe(303);
    session.jar.store(signOut);
    const page = await (await get(session, "/authenticator")).text();
    expect(page).toContain('<button type="submit">Sign in</button>');
  });

  it("shares the identity server's session with the app's sign-in", async () => {
    const auth0 = new Auth0Client({
      domain: server.issuer.replace(/\/$/, ""),
      allowInsecureRequests: true,
      clientId: SANDBOX_CLIENT.client_id,
      clientSecret: SANDBOX_CLIENT.client_secret,
      secret: randomBytes(32).toString("hex"),
      appBaseUrl: "http://localhost:3000",
    });
    const signedIn = await signInWithSandbox(auth0App(auth0), { email: "carol@example.com" });
    const page = await (await get({ issuer: server.issuer, jar: signedIn.jar }, "/authenticator")).text();
    expect(page).toContain("Signed in as <strong>Carol Diaz</strong>");
  });
});

describe("authorization details as Guardian shows them", () => {
  it("shows the instruction, then only the displayed properties, in display_order, escaped", async () => {
    const detail = {
      type: PURCHASE_TYPE,
      instruction: "Buy 1 x <Tea & Biscuits> (Ceylon, 250 g) for at most 7.00 USD",
      properties: {
        currency: { display: true, name: "Currency", display_order: "10", value: "USD" },
        product: { display: true, name: "Product:", display_order: "1", value: "<Tea & Biscuits> (Ceylon, 250 g)" },
        internal_sku: { display: false, name: "SKU", display_order: "3", value: "TB-250" },
        max_total_price: { display: true, name: "Maximum total", display_order: "2", value: "7.00" },
      },
    };
    const { bindingMessage } = await ask("auth0|alice", { authorization_details: JSON.stringify([detail]) });
    const view = await readAuthenticator(await signIn("alice@example.com"));
    const request = view.requests.find((entry) => entry.bindingMessage === bindingMessage);
    expect(request?.instruction).toBe(detail.instruction);
    expect(request?.details).toEqual(["Product: <Tea & Biscuits> (Ceylon, 250 g)", "Maximum total: 7.00", "Currency: USD"]);
    expect(view.html).not.toContain("<Tea");
    expect(view.html).not.toContain("TB-250");
  });
});
