import { readFile } from "node:fs/promises";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { setSharing, upload } from "./documents-helpers";
import { ask, connectInPopup, ensureDisconnected, expectNoHorizontalOverflow, lastReply, newChat, signIn, waitForReply } from "./helpers";
import { answerOnDevice, askToBuy } from "./purchase-helpers";

/**
 * Alice's document actions appear on her Activity page, filter, and export as JSON Lines and CSV; bob sees and
 * exports none of them.
 */
const NAME = `Reisekosten, Q1 (ünï) ${Date.now()}.md`;
const UPLOADED = `Uploaded ${JSON.stringify(NAME)}`;
const SHARED = `Shared ${JSON.stringify(NAME)} with bob@example.com`;

async function download(page: Page, link: Locator): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  return readFile((await file.path())!, "utf8");
}

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; summary: string; outcome: string; chat_id: string | null; turn_id: string | null; tool_call_id: string | null; evidence: Record<string, unknown> });

test("alice sees, filters and exports her own activity; bob sees none of it", async ({ browser }) => {
  test.setTimeout(120_000);
  const alice = await (await browser.newContext()).newPage();
  await signIn(alice, "alice@example.com");
  await upload(alice, NAME, "# Travel costs\n\nHotel 120,50 €; taxi =SUM(A1:A3)");
  await setSharing(alice, NAME, "bob@example.com", "Share");

  await alice.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Activity" }).click();
  await expect(alice.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  const events = alice.getByRole("list", { name: "Activity" });
  await expect(events.getByRole("listitem", { name: UPLOADED })).toBeVisible();
  const shared = events.getByRole("listitem", { name: SHARED });
  await expect(shared).toBeVisible();
  await expect(shared.getByRole("definition").first()).toBeVisible();

  // The whole history, unfiltered: the upload names the document the share event points at.
  const all = jsonLines(await download(alice, alice.getByRole("link", { name: "Export JSON Lines" })));
  const uploaded = all.find((event) => event.summary === UPLOADED);
  expect(uploaded?.action).toBe("document.upload");
  const documentId = uploaded!.evidence.documentId as string;
  expect(all.some((event) => event.action === "document.share" && event.evidence.documentId === documentId)).toBe(true);

  await alice.setViewportSize({ width: 1280, height: 900 });
  await alice.screenshot({ path: "/tmp/activity-desktop.png", fullPage: true });
  await expectNoHorizontalOverflow(alice);
  await alice.setViewportSize({ width: 375, height: 800 });
  await alice.screenshot({ path: "/tmp/activity-375.png", fullPage: true });
  await expectNoHorizontalOverflow(alice);
  await alice.setViewportSize({ width: 1280, height: 900 });

  // Filter to shares: the URL carries the filter, the upload drops out, and the export follows the filter.
  await alice.getByLabel("Event type").selectOption("document.share");
  await alice.getByLabel("Outcome").selectOption("done");
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(alice).toHaveURL(/[?&]action=document\.share/);
  await expect(events.getByRole("listitem", { name: UPLOADED })).toHaveCount(0);
  await expect(shared).toBeVisible();
  const shares = jsonLines(await download(alice, alice.getByRole("link", { name: "Export JSON Lines" })));
  expect(shares.length).toBeGreaterThan(0);
  expect(shares.every((event) => event.action === "document.share")).toBe(true);

  const csv = await download(alice, alice.getByRole("link", { name: "Export CSV" }));
  expect(csv.split("\r\n")[0]).toMatch(/^\uFEFF?occurred_at,sequence,action,outcome,summary,/);
  // The summary names the document as alice saw it; the evidence keeps its id.
  expect(csv).toContain(`"${SHARED.replace(/"/g, '""')}"`);
  expect(csv).toContain(documentId);
  expect(csv).not.toContain(UPLOADED);

  // A date range that starts tomorrow (in the browser's zone) holds nothing yet.
  const tomorrow = await alice.evaluate(() => {
    const date = new Date();
    date.setDate(date.getDate() + 1);
    return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
  });
  await alice.getByLabel("From").fill(tomorrow);
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(alice.getByText("No activity matches.")).toBeVisible();

  // Unfiltered CSV keeps the upload's comma, quotes and non-ASCII name in one quoted field.
  await alice.getByRole("link", { name: "Clear" }).click();
  const fullCsv = await download(alice, alice.getByRole("link", { name: "Export CSV" }));
  expect(fullCsv).toContain(`"${UPLOADED.replace(/"/g, '""')}"`);

  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  await bob.goto("/activity");
  await expect(bob.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  await expect(bob.getByRole("listitem", { name: "Signed in" }).first()).toBeVisible();
  await expect(bob.getByText(NAME)).toHaveCount(0);
  await expect(bob.getByText(documentId)).toHaveCount(0);
  const bobs = await download(bob, bob.getByRole("link", { name: "Export JSON Lines" }));
  expect(bobs).not.toContain(documentId);
  expect(bobs).not.toContain("Reisekosten");
  const bobsCsv = await download(bob, bob.getByRole("link", { name: "Export CSV" }));
  expect(bobsCsv).not.toContain(documentId);
});

/** The id in /chat/<id>. */
const chatIdOf = (page: Page) => new URL(page.url()).pathname.split("/").at(-1)!;

test("alice's calendar question, purchase and document question are in her Activity, linked to their messages and exported; bob sees none", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  const alice = await context.newPage();
  await signIn(alice, "alice@example.com");

  // A calendar question that asks her to connect Google first.
  await ensureDisconnected(alice, "Google");
  await newChat(alice);
  const calendarReply = await ask(alice, "What's on my calendar today?");
  await connectInPopup(alice, calendarReply.getByRole("button", { name: "Connect Google" }), "Allow");
  await expect(lastReply(alice).getByRole("region", { name: "Tool: Read your calendar" })).toContainText("Done", { timeout: 30_000 });
  await waitForReply(alice);
  const calendarChat = chatIdOf(alice);

  // A purchase approved on her device.
  await newChat(alice);
  await askToBuy(alice, "Buy 2 Acme Widgets");
  await answerOnDevice(context, "Buy 2 x Acme Widget for at most 39.98", "Approve");
  await expect(lastReply(alice)).toContainText(/ORD-\d+/, { timeout: 30_000 });
  const order = (await lastReply(alice).innerText()).match(/ORD-\d+/)![0];
  const purchaseChat = chatIdOf(alice);

  // A plain question her documents answer.
  await newChat(alice);
  await expect(await ask(alice, "How many vacation days do we get?")).toContainText("25 days");
  const documentChat = chatIdOf(alice);

  await alice.goto("/activity");
  const events = alice.getByRole("list", { name: "Activity" });
  await expect(events.getByRole("listitem", { name: "Connected Google (See the events on your calendars)" }).first()).toBeVisible();
  const all = jsonLines(await download(alice, alice.getByRole("link", { name: "Export JSON Lines" })));
  const inChat = (chatId: string) => all.filter((event) => event.chat_id === chatId);

  // The export holds every step: the connect, the Token Vault exchange, the approval and the order, the retrieval.
  expect(all.find((event) => event.action === "account.connect")).toMatchObject({ evidence: { connection: "google-oauth2", scopes: ["https://www.googleapis.com/auth/calendar.events.readonly"] } });
  expect(inChat(calendarChat).map((event) => [event.action, event.evidence.authorizer ?? null, event.evidence.decision ?? null])).toEqual(
    expect.arrayContaining([
      ["tool.authorization", "token-vault", "interrupted"],
      ["tool.authorization", "token-vault", "granted"],
    ]),
  );
  expect(inChat(calendarChat).find((event) => event.action === "tool.result" && event.outcome === "done")?.evidence.entered).toMatchObject({ calendarEvents: expect.any(Array) });
  const purchase = inChat(purchaseChat);
  expect(purchase.find((event) => event.evidence.decision === "requested")?.evidence).toMatchObject({ authorizer: "async-approval", bindingMessage: "Buy 2 x Acme Widget for at most 39.98 USD" });
  expect(purchase.find((event) => event.evidence.decision === "granted")?.evidence).toMatchObject({ authorizer: "async-approval" });
  expect(purchase.find((event) => event.action === "tool.result" && event.outcome === "done")?.evidence).toMatchObject({ entered: { shopOrders: [order] } });
  const retrieval = inChat(documentChat).find((event) => event.action === "tool.result");
  const documentIds = (retrieval?.evidence.entered as { documents: string[] }).documents;
  expect(documentIds.length).toBeGreaterThan(0);
  // The listing that allowed them: asked now, or by an earlier search and reused (then with a batch-check of them).
  expect(retrieval?.evidence.fga).toMatchObject({ questions: expect.arrayContaining([expect.objectContaining({ call: "list-objects", relation: "can_view", allowed: expect.arrayContaining(documentIds) })]) });

  // The page shows them, filtered by decision: the exchange, the device's approval, and the retrieval's documents.
  await alice.getByRole("combobox", { name: "Decision" }).selectOption("token-vault");
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.getByText("google-oauth2").first()).toBeVisible();
  await alice.getByRole("combobox", { name: "Decision" }).selectOption("async-approval");
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.getByText("Buy 2 x Acme Widget for at most 39.98 USD").first()).toBeVisible();
  await alice.getByRole("combobox", { name: "Decision" }).selectOption("");
  await alice.getByLabel("Event type").selectOption("tool.result");
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(events.getByText(order).first()).toBeVisible();
  for (const id of documentIds) await expect(events.getByText(id).first()).toBeVisible();

  // Filtered to the purchase tool, by its title: only that tool's events, on the page and in the export.
  await alice.getByLabel("Event type").selectOption("");
  const tool = alice.getByRole("combobox", { name: "Tool", exact: true });
  await expect(tool.getByRole("option")).toContainText(["Any", "Buy products", "Read your calendar", "Search your documents"]);
  await tool.selectOption({ label: "Buy products" });
  await alice.getByRole("button", { name: "Apply filters" }).click();
  await expect(alice).toHaveURL(/[?&]tool=buy_product(&|$)/);
  await expect(events.getByText(order).first()).toBeVisible();
  await expect(events.getByText("google-oauth2")).toHaveCount(0);
  for (const id of documentIds) await expect(events.getByText(id)).toHaveCount(0);
  await alice.setViewportSize({ width: 1280, height: 900 });
  await alice.screenshot({ path: "/tmp/activity-tool-desktop.png", fullPage: true });
  await alice.setViewportSize({ width: 375, height: 800 });
  await alice.screenshot({ path: "/tmp/activity-tool-375.png", fullPage: true });
  await expectNoHorizontalOverflow(alice);
  await alice.setViewportSize({ width: 1280, height: 900 });
  const purchasesOnly = jsonLines(await download(alice, alice.getByRole("link", { name: "Export JSON Lines" })));
  expect(purchasesOnly.map((event) => event.tool_call_id)).toEqual(expect.arrayContaining(purchase.filter((event) => event.evidence.tool === "buy_product").map((event) => event.tool_call_id)));
  expect(purchasesOnly.every((event) => event.evidence.tool === "buy_product")).toBe(true);
  expect(purchasesOnly.some((event) => event.chat_id === calendarChat || event.chat_id === documentChat)).toBe(false);

  // Each chat turn links to its message: the chat opens there, with the message marked and focused.
  const purchaseTurn = events.getByRole("listitem", { name: "Chat turn" }).filter({ hasText: order }).first();
  await purchaseTurn.getByRole("link", { name: "Open message in chat" }).click();
  await expect(alice).toHaveURL(new RegExp(`/chat/${purchaseChat}#message-`));
  const asked = alice.getByRole("article", { name: "Your message" }).filter({ hasText: "Buy 2 Acme Widgets" });
  await expect(asked).toBeFocused();
  await expect(asked).toHaveAttribute("aria-current", "location");
  await expect(asked).toBeInViewport();
  expect(new URL(alice.url()).hash).toBe(`#message-${purchase[0]!.turn_id}`);

  // Bob sees none of it, on the page or in his export.
  const bob = await (await browser.newContext()).newPage();
  await signIn(bob, "bob@example.com");
  await bob.goto("/activity");
  await expect(bob.getByRole("heading", { name: "Activity", level: 1 })).toBeVisible();
  // (The handbook is everyone's to read, so its id may be in bob's own searches: his trail is checked for alice's calls.)
  const alicesCalls = [order, calendarChat, purchaseChat, documentChat, ...purchase.map((event) => event.tool_call_id!)];
  for (const text of alicesCalls) await expect(bob.getByText(text)).toHaveCount(0);
  const bobs = await download(bob, bob.getByRole("link", { name: "Export JSON Lines" }));
  for (const text of alicesCalls) expect(bobs).not.toContain(text);
});
