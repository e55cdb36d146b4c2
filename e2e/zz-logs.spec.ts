import { readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { serverDataDir as DATA_DIR, serverLogFile as LOG_FILE } from "../playwright.config";
import { uploadField } from "./documents-helpers";
import { answerOnDevice } from "./purchase-helpers";
import { ask, connectInPopup, ensureDisconnected, lastReply, newChat, signIn, waitForReply } from "./helpers";

/**
 * What an operator's log collector receives must not carry what users trust the app with. The server of the
 * test run copies everything the app and the sandbox print to DELEGATE_LOG_FILE (playwright.config.ts); this
 * suite runs last (files run in name order, one worker), makes a full run of its own through the browser, then
 * reads that file, which by then also holds every earlier suite's output.
 */

const PROMPTS = {
  who: "Who am I?",
  vacation: "What do our documents say about paid vacation?",
  calendar: "What's on my calendar today?",
  email: "Find the invoice from Acme in my email",
  secret: "Search my email for my recovery phrase ORCHID-LANTERN-5520-QUOLL",
  search: "Search my documents for the heron audit passphrase",
  draft: 'Create a Gmail draft to bob@example.com with subject "Heron audit" saying "The tide tables moved to cabinet nine on Thursday"',
  purchase: "Buy 2 Acme Widgets",
};
const DOCUMENT = {
  name: "heron-audit.md",
  sentences: [
    "The heron audit passphrase is MAUVE-KESTREL-9071.",
    "Invoices above 4,000 euros need a second signature from the Lisbon office.",
  ],
};
/** What the sandbox's Google and the seeded documents hand the app during the run: user data all the same. */
const SERVICE_DATA = [
  "Amount due: $1,284.50", // alice's Acme invoice mail
  "billing.acme-supplies.example/invoices/1042",
  "Everyone gets 25 days of paid vacation", // the seeded handbook
  "Dentist appointment", // alice's calendar
];

/** oidc-provider keeps each of these under its value (an opaque token, a session cookie, an auth_req_id). */
const TOKEN_MODELS = ["AccessToken", "RefreshToken", "AuthorizationCode", "ClientCredentials", "BackchannelAuthenticationRequest", "Session"];

test("after a full run the server log holds no token, prompt, document text or approval id", async ({ browser }) => {
  test.setTimeout(300_000);
  const approvalIds = new Set<string>();

  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  recordApprovalIds(alice, approvalIds);
  await signIn(alice, "alice@example.com");
  await ensureDisconnected(alice, "Google");

  await newChat(alice);
  await expect(await ask(alice, PROMPTS.who)).toContainText("alice@example.com");
  await newChat(alice);
  await expect(await ask(alice, PROMPTS.vacation)).toContainText("25 days");

  // Google is connected from the chat's prompt, and each later request for more permissions the same way.
  await newChat(alice);
  await ask(alice, PROMPTS.calendar);
  await expect(await completeReply(alice)).toContainText("Dentist appointment");
  await newChat(alice);
  await ask(alice, PROMPTS.email);
  await expect(await completeReply(alice)).toContainText("Invoice #1042");
  await newChat(alice);
  const secret = await ask(alice, PROMPTS.secret);
  await expect(secret.getByRole("region", { name: "Tool: Search your email" })).toContainText("Done");
  await newChat(alice);
  await ask(alice, PROMPTS.draft);
  const draft = await completeReply(alice);
  await expect(draft.getByRole("region", { name: "Tool: Write email drafts" })).toContainText("Done");
  expect(approvalIds.size).toBeGreaterThan(0);

  await alice.goto("/documents");
  await (await uploadField(alice)).setInputFiles({
    name: DOCUMENT.name,
    mimeType: "text/markdown",
    buffer: Buffer.from(`# Heron audit\n\n${DOCUMENT.sentences.join("\n\n")}\n`),
  });
  await expect(alice.getByRole("status").filter({ hasText: `${DOCUMENT.name} uploaded.` })).toBeVisible({ timeout: 30_000 });
  await newChat(alice);
  await expect(await ask(alice, PROMPTS.search)).toContainText("MAUVE-KESTREL-9071");
  await aliceContext.close();

  // A purchase, approved on the sandbox authenticator (the stand-in for the user's phone): a CIBA round trip.
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signIn(bob, "bob@example.com");
  const purchase = await ask(bob, PROMPTS.purchase);
  await expect(purchase.getByRole("region", { name: "Approval required" })).toBeVisible();
  await answerOnDevice(bobContext, "Buy 2 x Acme Widget for at most 39.98", "Approve");
  await expect(lastReply(bob)).toContainText(/ORD-\d+/, { timeout: 30_000 });
  await bobContext.close();

  const log = await settledLog();
  // The copy works: it holds the sandbox's own lines, its seeding child's, and the Next server's.
  expect(log).toContain("[sandbox] Identity server");
  expect(log).toContain("[sandbox] Seeded sample documents");
  expect(log).toMatch(/\[sandbox:identity\] POST \/oauth\/token 200/);
  expect(log).toContain("Next.js");

  const secrets = await sandboxSecrets();
  for (const kind of ["RefreshToken", "BackchannelAuthenticationRequest"]) expect(secrets.some(([k]) => k === kind), kind).toBe(true);
  const leaks = [
    ...[...log.matchAll(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g)].map(([jwt]) => `a JWT or JWE: ${jwt.slice(0, 24)}…`),
    ...secrets.filter(([, value]) => log.includes(value)).map(([kind]) => `a ${kind} value`),
    ...[...approvalIds].filter((id) => log.includes(id)).map(() => "an approval id"),
    ...Object.values(PROMPTS).filter((prompt) => log.includes(prompt)).map((prompt) => `the prompt "${prompt}"`),
    ...["ORCHID-LANTERN-5520-QUOLL", "cabinet nine"].filter((text) => log.includes(text)).map((text) => `prompt text "${text}"`),
    ...DOCUMENT.sentences.filter((sentence) => log.includes(sentence)).map((sentence) => `the document's "${sentence}"`),
    ...["MAUVE-KESTREL-9071"].filter((text) => log.includes(text)).map((text) => `document text "${text}"`),
    ...SERVICE_DATA.filter((text) => log.includes(text)).map((text) => `service data "${text}"`),
  ];
  expect(leaks, `${LOG_FILE} leaks:\n${leaks.join("\n")}`).toEqual([]);
});

/** The chat sends an in-chat approval's id with the user's decision; none may be logged. */
function recordApprovalIds(page: Page, ids: Set<string>) {
  page.on("request", (request) => {
    if (request.method() !== "POST" || !request.url().endsWith("/api/chat")) return;
    const body = request.postDataJSON() as { approvals?: { approvalId?: string }[] } | null;
    for (const approval of body?.approvals ?? []) if (approval.approvalId) ids.add(approval.approvalId);
  });
}

/**
 * Answers whatever the last reply asks for, connecting Google or approving a draft, until it asks nothing more.
 */
async function completeReply(page: Page) {
  const reply = lastReply(page);
  const connect = reply.getByRole("button", { name: "Connect Google" });
  const approve = reply.getByRole("button", { name: "Approve" });
  for (let round = 0; round < 4; round++) {
    await waitForReply(page);
    if (await connect.isVisible()) {
      await connectInPopup(page, connect, "Allow");
      await expect(connect).toHaveCount(0, { timeout: 30_000 });
    } else if (await approve.isVisible()) {
      await approve.click();
      await expect(approve).toHaveCount(0, { timeout: 30_000 });
    } else return reply;
  }
  throw new Error("the reply kept asking for more");
}


/** The log once the server has stopped writing: Next's output reaches the file through a pipe, a little later. */
async function settledLog(): Promise<string> {
  let log = "";
  await expect
    .poll(
      async () => {
        const previous = log;
        log = await readFile(LOG_FILE, "utf8");
        return log.length > 0 && log === previous;
      },
      { intervals: [1_000], timeout: 15_000 },
    )
    .toBe(true);
  return log;
}

/** Every secret the sandbox issued during the test run, read from its data directory, as [kind, value]. */
async function sandboxSecrets(): Promise<[string, string][]> {
  const state = JSON.parse(await readFile(path.join(DATA_DIR, "identity/provider-state.json"), "utf8")) as {
    entries: { model: string; id: string }[];
  };
  const secrets = state.entries.filter((entry) => TOKEN_MODELS.includes(entry.model)).map((entry): [string, string] => [entry.model, entry.id]);
  for (const file of ["auth0-secret", "identity-client-secret", "identity-mcp-api-client-secret", "identity-chat-api-client-secret"])
    secrets.push([file, (await readFile(path.join(DATA_DIR, file), "utf8")).trim()]);
  return secrets;
}
