import http from "node:http";
import { once } from "node:events";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { documentItem, openShareDialog } from "./documents-helpers";
import { signIn } from "./helpers";

/**
 * Publishing, sharing and uploading, attacked from outside: through the browser as the seeded users, and with
 * raw HTTP where a browser would not misbehave enough. API calls carry the app's own Origin, as the page's do.
 */
const SAME_ORIGIN = { origin: baseURL };
const SHARE_ANSWER = JSON.stringify({ message: "If a verified account uses that address, it now has access." });

async function signedIn(browser: Browser, email: string) {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

/** Uploads through the API as the page's user (multipart, as the upload form sends it); returns the id. */
async function upload(page: Page, name: string, text: string) {
  const response = await page.request.post("/api/documents", {
    headers: SAME_ORIGIN,
    multipart: { file: { name, mimeType: "text/plain", buffer: Buffer.from(text) } },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const shareWith = (page: Page, id: string, who: string) => page.request.post(`/api/documents/${id}/shares`, { headers: SAME_ORIGIN, data: { with: who } });

test("an account with an unverified email cannot publish to everyone or a group, and the page says why", async ({ browser }) => {
  const dave = await signedIn(browser, "dave@example.com");
  const id = await upload(dave, "dave-announcement.md", "Dave's announcement: the office moves on Monday.");

  for (const who of ["everyone", "group:finance"]) {
    const refused = await shareWith(dave, id, who);
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.message).toMatch(/^Verify your email address before sharing with everyone or with a group/);
  }

  const dialog = await openShareDialog(dave, "dave-announcement.md");
  for (const name of ["A group", "Everyone signed in"]) {
    const choice = dialog.getByRole("radio", { name });
    await expect(choice).toBeDisabled();
    await expect(choice).toHaveAccessibleDescription(/^Your email address is not verified/);
  }
  await expect(dialog.getByRole("radio", { name: "A person" })).toBeChecked();
  // The old syntax typed as a person's address publishes nothing: it is not an address.
  const email = dialog.getByRole("textbox", { name: "Email address" });
  await email.fill("group:finance");
  await dialog.getByRole("button", { name: "Share", exact: true }).click();
  await expect(dialog.getByRole("alert")).toHaveText("Enter an email address like name@example.com.");
  await expect(email).toHaveValue("group:finance");
  await expect(dialog.getByRole("list", { name: "Shared with" })).toHaveCount(0);

  // Nobody else can read it.
  const bob = await signedIn(browser, "bob@example.com");
  expect((await bob.request.get(`/api/documents/${id}`)).status()).toBe(403);
  await bob.goto("/documents");
  await expect(bob.getByRole("main").getByRole("heading", { name: "dave-announcement.md" })).toHaveCount(0);
});

test("a document name with Markdown, parentheses and non-ASCII is shown as plain text and loads nothing", async ({ browser }) => {
  const alice = await signedIn(browser, "alice@example.com");
  const name = "Budget (draft) – Ärger ![x](http://127.0.0.1:9/x).md";
  const outside: string[] = [];
  alice.on("request", (request) => {
    if (!request.url().startsWith(baseURL)) outside.push(request.url());
  });
  const id = await upload(alice, name, "# Budget\n\nThe draft budget is 4.2 million USD.");
  await alice.goto("/documents");
  await expect(alice.getByRole("main").getByRole("heading", { name, exact: true })).toHaveText(name);
  await expect(alice.getByRole("main").locator("img")).toHaveCount(0);
  const download = await alice.request.get(`/api/documents/${id}`);
  expect(download.headers()["content-disposition"]).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
  expect(outside).toEqual([]);
});

test("sharing by email answers the same for a verified account, an unverified one and no account; the list shows names", async ({ browser }) => {
  const alice = await signedIn(browser, "alice@example.com");
  const id = await upload(alice, "offsite-plan.md", "The offsite is in Lisbon, 12–14 June.");

  const answers = [];
  for (const email of ["bob@example.com", "dave@example.com", `nobody-${Date.now()}@example.com`]) {
    const response = await shareWith(alice, id, email);
    answers.push({ status: response.status(), body: await response.text(), type: response.headers()["content-type"] });
  }
  for (const answer of answers) expect(answer).toEqual({ status: 200, body: SHARE_ANSWER, type: answers[0]!.type });

  const dialog = await openShareDialog(alice, "offsite-plan.md");
  await dialog.getByRole("textbox", { name: "Email address" }).fill("someone.else@example.org");
  await dialog.getByRole("button", { name: "Share", exact: true }).click();
  await expect(dialog.getByRole("status")).toHaveText("If a verified account uses that address, it now has access.");
  const sharedWith = dialog.getByRole("list", { name: "Shared with" });
  await expect(sharedWith.getByRole("listitem")).toHaveCount(1);
  await expect(sharedWith.getByRole("listitem")).toContainText("Bob Chen (bob@example.com)");
  await expect(dialog).not.toContainText("auth0|");
  await expect(dialog.getByRole("button", { name: "Unshare with Bob Chen (bob@example.com)" })).toBeVisible();
  await dialog.getByRole("button", { name: "Done" }).click();
  const item = documentItem(alice, "offsite-plan.md");
  await expect(item).toContainText("Shared with Bob Chen (bob@example.com)");
  await expect(item).not.toContainText("auth0|");

  // Only bob, whose address is verified, got access; he sees whose it is.
  const bob = await signedIn(browser, "bob@example.com");
  await bob.goto("/documents");
  await expect(documentItem(bob, "offsite-plan.md, shared by Alice Martin (alice@example.com)")).toContainText(
    "Shared with you by Alice Martin (alice@example.com)",
  );
  const dave = await signedIn(browser, "dave@example.com");
  expect((await dave.request.get(`/api/documents/${id}`)).status()).toBe(403);
});

test("two documents with the same name are told apart by their owners", async ({ browser }) => {
  // Alice's seeded "Q3 forecast.md" is shared with the finance group, of which bob is a member.
  const bob = await signedIn(browser, "bob@example.com");
  await upload(bob, "Q3 forecast.md", "Bob's own Q3 forecast: flat.");
  await bob.goto("/documents");
  await expect(documentItem(bob, "Q3 forecast.md")).toContainText("Yours");
  await expect(documentItem(bob, "Q3 forecast.md, shared by Alice Martin (alice@example.com)")).toContainText(
    "Shared with you by Alice Martin (alice@example.com)",
  );
  await expect(bob.getByRole("link", { name: "Download Q3 forecast.md, shared by Alice Martin (alice@example.com)" })).toBeVisible();
});

/** POSTs a multipart upload of `bytes` bytes over a raw connection; `contentLength` may lie, or be absent (chunked). */
async function rawUpload(cookie: string, bytes: number, contentLength?: number): Promise<{ status: number; body: string }> {
  const boundary = "----delegate-e2e";
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="huge.txt"\r\nContent-Type: text/plain\r\n\r\n`);
  const length = contentLength === undefined ? { "transfer-encoding": "chunked" } : { "content-length": String(contentLength) };
  const request = http.request(new URL("/api/documents", baseURL), {
    method: "POST",
    agent: false,
    headers: { cookie, ...SAME_ORIGIN, "content-type": `multipart/form-data; boundary=${boundary}`, ...length },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve) => {
    request.on("response", async (response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
    });
    // A server that stops reading may reset the connection before answering: that is a refusal too.
    request.on("error", () => resolve({ status: 0, body: "" }));
  });
  void (async () => {
    request.write(head);
    const chunk = Buffer.alloc(256 * 1024, "a");
    for (let sent = 0; sent < bytes && !request.destroyed; sent += chunk.length) if (!request.write(chunk)) await once(request, "drain");
    request.end(`\r\n--${boundary}--\r\n`);
  })().catch(() => {});
  return answer;
}

test("an 11 MB upload is refused with 413 however its length is declared, and nothing is stored", async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page, "alice@example.com");
  const cookie = (await page.context().cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join("; ");

  // No content-length at all (chunked): the stream is counted, not the header. The server answers and closes while
  // the client still sends; the unread bytes make TCP reset the connection, which can discard the answer before the
  // client reads it (status 0). Such an attempt is repeated: one of three must read the 413.
  let chunked = await rawUpload(cookie, 11 * 1024 * 1024);
  for (let attempt = 1; attempt < 3 && chunked.status === 0; attempt++) chunked = await rawUpload(cookie, 11 * 1024 * 1024);
  expect(chunked.status).toBe(413);
  expect(JSON.parse(chunked.body).error.message).toBe("The file is larger than the 10 MB upload limit.");

  // A content-length that claims 1 KB: the server reads 1 KB and no more, so 11 MB can never arrive.
  const lying = await rawUpload(cookie, 11 * 1024 * 1024, 1024);
  expect([0, 400, 413]).toContain(lying.status);

  await page.goto("/documents");
  await expect(page.getByRole("main").getByRole("heading", { name: "huge.txt" })).toHaveCount(0);
});
