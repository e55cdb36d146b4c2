import { readFileSync } from "node:fs";
import { expect, request, test as base, type APIRequestContext, type BrowserContext, type Page } from "@playwright/test";
import { ask, ensureConnected, ensureDisconnected, lastReply, send, signIn, waitForReply } from "./helpers";
import { answerOnDevice } from "./purchase-helpers";
import { createDatabase, startDeployment, type AppInstance, type Deployment } from "./support/app-instances";

/**
 * Many instances, one truth: two `next start` instances of the build on one real PostgreSQL behind a round-robin
 * balancer, so one page's consecutive requests land on different processes. The same interrupt, approval or pending
 * purchase sent through both instances at the same moment runs once, and an instance killed while a purchase waits
 * for approval loses nothing. Each test checks what the user sees and what was stored or done (the database, the
 * stand-ins' request log, the shop's orders). Needs a real PostgreSQL: CI sets TEST_DIRECT_DATABASE_URL
 * (scripts/pooler-postgres.sh start prints it).
 */
const serverUrl = process.env.TEST_DIRECT_DATABASE_URL;

const test = base.extend<
  {
    /**
     * One request context per instance, straight to it (not through the balancer), signed in as the browser is now
     * and sending the Origin a browser behind the balancer sends.
     */
    straightTo: (instances: AppInstance[]) => Promise<APIRequestContext[]>;
  },
  { deployment: Deployment }
>({
  deployment: [
    async ({}, provide) => {
      const deployment = await startDeployment({ serverUrl: serverUrl!, instances: 2, env: { SANDBOX_CIBA_INTERVAL_SECONDS: "1" } });
      await provide(deployment);
      await deployment.close();
    },
    { scope: "worker", timeout: 180_000 },
  ],
  baseURL: async ({ deployment }, provide) => provide(deployment.url),
  straightTo: async ({ context, deployment }, provide) => {
    const created: APIRequestContext[] = [];
    await provide(async (instances) => {
      const storageState = await context.storageState();
      const apis = await Promise.all(
        instances.map((instance) => request.newContext({ baseURL: instance.url, storageState, extraHTTPHeaders: { origin: deployment.url } })),
      );
      created.push(...apis);
      return apis;
    });
    await Promise.all(created.map((api) => api.dispose()));
  },
});

test.skip(!serverUrl, "needs a real PostgreSQL: set TEST_DIRECT_DATABASE_URL (scripts/pooler-postgres.sh start prints it)");

// A test that killed an instance does not leave the next one a single instance to race.
test.beforeEach(async ({ deployment }) => {
  await Promise.all(deployment.instances.filter((instance) => !instance.serving).map((instance) => instance.start()));
});

const DRAFT_REQUEST = 'Create a Gmail draft to carol@example.com with subject "Offsite (Q3)" saying "Room 2.04, 9:30 — see https://example.com/a?b=1"';
const DRAFT_CREATED = /POST \/google\/gmail\/v1\/users\/[^/]+\/drafts 200/;
const ORDER_PLACED = /\[sandbox:shop\] POST \/orders 201/;

/** Sends the same chat request through every instance at the same moment; the statuses, lowest first. */
async function race(apis: APIRequestContext[], body: object): Promise<number[]> {
  const responses = await Promise.all(apis.map((api) => api.post("/api/chat", { data: body })));
  // Streams are read to the end, so whatever the winner does after answering has happened.
  await Promise.all(responses.map((response) => response.body()));
  return responses.map((response) => response.status()).sort();
}

/**
 * `race`, with every request held at the same point: the test locks the call's waiting row, so each instance has
 * read the chat and stands at its claim when the lock goes. Left to the network, one request can finish before
 * the other reads anything, and a broken claim would go unnoticed.
 */
async function raceAtTheClaim(deployment: Deployment, apis: APIRequestContext[], body: { id: string }, toolCallId: string): Promise<number[]> {
  const { sql } = deployment.database;
  let statuses: Promise<number[]> | undefined;
  await sql.begin(async (holder) => {
    const [row] = await holder`select status from tool_interrupts where chat_id = ${body.id} and tool_call_id = ${toolCallId} for update`;
    expect(row).toEqual({ status: "pending" });
    statuses = race(apis, body);
    await expect.poll(() => lockWaiters(deployment)).toBe(apis.length);
  });
  return statuses!;
}

/** How many of the app's queries wait for a lock on the deployment's database. */
async function lockWaiters(deployment: Deployment): Promise<number> {
  const [waiting] = await deployment.database.sql<{ count: number }[]>`
    select count(*)::int as count from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
  return waiting!.count;
}

function chatIdOf(page: Page): string {
  const id = new URL(page.url()).pathname.match(/^\/chat\/([0-9a-f-]{36})$/)?.[1];
  if (!id) throw new Error(`not on a chat page: ${page.url()}`);
  return id;
}

/** The stand-ins' log lines matching `pattern` so far: one per request they answered. */
const countLogged = (deployment: Deployment, pattern: RegExp) => deployment.sandboxLog.filter((line) => pattern.test(line)).length;

async function interruptsOf(deployment: Deployment, chatId: string) {
  return deployment.database.sql<{ tool_call_id: string; status: string }[]>`
    select tool_call_id, status from tool_interrupts where chat_id = ${chatId} order by updated_at`;
}

async function toolPartsOf(deployment: Deployment, chatId: string, type: string) {
  const rows = await deployment.database.sql<{ parts: { type: string; state: string; toolCallId: string; approval?: { id: string }; output?: unknown }[] }[]>`
    select parts from messages where chat_id = ${chatId} and role = 'assistant' order by created_at`;
  return rows.flatMap((row) => row.parts.filter((part) => part.type === type));
}

type Order = { number: string; quantity: number; product: { name: string } };
async function ordersOf(page: Page, deployment: Deployment, sub: string): Promise<Order[]> {
  const response = await page.request.get(`${deployment.env.SHOP_API_URL}/sandbox/orders?sub=${encodeURIComponent(sub)}`);
  return ((await response.json()) as { orders: Order[] }).orders;
}

async function askToBuy(page: Page, text: string) {
  const reply = await ask(page, text);
  await expect(reply.getByRole("region", { name: "Approval required" })).toBeVisible();
  return chatIdOf(page);
}

/** The browser leaves the chat, so only the test's own requests reach it; waits until nothing is mid-run. */
async function leaveChat(page: Page, deployment: Deployment, chatId: string) {
  await page.goto("/");
  await expect.poll(async () => (await interruptsOf(deployment, chatId)).map((row) => row.status)).toEqual(["pending"]);
}

test("two instances starting together on a fresh database migrate it once, and both serve from it", async ({ deployment, page, straightTo }) => {
  const journal = JSON.parse(readFileSync("db/migrations/meta/_journal.json", "utf8")) as { entries: { when: number }[] };
  const fresh = await createDatabase(serverUrl!, "delegate_e2e_fresh");
  try {
    const [first, second] = await deployment.startInstances(2, { databaseUrl: fresh.url });
    const migrations = await fresh.sql<{ created_at: string }[]>`select created_at from drizzle.__drizzle_migrations order by id`;
    expect(migrations.map((row) => Number(row.created_at))).toEqual(journal.entries.map((entry) => entry.when));

    // A chat started through one instance is listed by the other: both run on the migrated schema.
    await signIn(page, "dave@example.com");
    const [viaFirst, viaSecond] = await straightTo([first!, second!]);
    const chatId = crypto.randomUUID();
    const sent = await viaFirst!.post("/api/chat", {
      data: { id: chatId, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: "Who am I?" }] } },
    });
    expect(sent.status()).toBe(200);
    expect(await sent.text()).toContain("dave@example.com");
    const listed = await viaSecond!.get("/api/chats");
    expect(listed.status()).toBe(200);
    expect(await listed.json()).toMatchObject({ chats: [{ id: chatId, title: "Who am I?" }] });
    const [stored] = await fresh.sql<{ messages: number }[]>`select count(*)::int as messages from messages where chat_id = ${chatId}`;
    expect(stored!.messages).toBe(2);
    await Promise.all([first!.stop(), second!.stop()]);
  } finally {
    await fresh.drop();
  }
});

test("a connect-account interrupt resumed through both instances at once runs the tool once", async ({ deployment, page, straightTo }) => {
  await signIn(page, "bob@example.com");
  await ensureDisconnected(page, "Google");
  await page.goto("/");
  const card = (await ask(page, DRAFT_REQUEST)).getByRole("region", { name: "Tool: Write email drafts" });
  await card.getByRole("button", { name: "Approve" }).click();
  await waitForReply(page);
  await expect(lastReply(page).getByRole("region", { name: "Connect Google" })).toBeVisible();
  const chatId = chatIdOf(page);
  await leaveChat(page, deployment, chatId);
  const [interrupt] = await interruptsOf(deployment, chatId);
  // Connected on the Connections page, so the chat's own automatic resume never runs: only the race below does.
  await ensureConnected(page, "Google");

  const draftsBefore = countLogged(deployment, DRAFT_CREATED);
  const apis = await straightTo(deployment.instances);
  const resume = { id: chatId, resume: { toolCallId: interrupt!.tool_call_id } };
  expect.soft(await raceAtTheClaim(deployment, apis, resume, interrupt!.tool_call_id)).toEqual([200, 409]);

  expect(countLogged(deployment, DRAFT_CREATED) - draftsBefore).toBe(1);
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: interrupt!.tool_call_id, status: "resolved" }]);
  const [draft] = await toolPartsOf(deployment, chatId, "tool-create_gmail_draft");
  expect(draft).toMatchObject({ state: "output-available", output: { subject: "Offsite (Q3)", to: "carol@example.com" } });

  await page.goto(`/chat/${chatId}`);
  await expect(page.getByRole("region", { name: "Tool: Write email drafts" })).toContainText("Done");
  await expect(page.getByRole("region", { name: "Connect Google" })).toHaveCount(0);
  // Resumed once more, through either instance: refused, and nothing more is drafted.
  expect(await race(apis, resume)).toEqual([409, 409]);
  expect(countLogged(deployment, DRAFT_CREATED) - draftsBefore).toBe(1);
});

test("the same in-chat approval decided through both instances at once executes once", async ({ deployment, page, straightTo }) => {
  await signIn(page, "alice@example.com");
  await ensureConnected(page, "Google");
  await page.goto("/");
  const card = (await ask(page, DRAFT_REQUEST)).getByRole("region", { name: "Tool: Write email drafts" });
  await expect(card).toContainText("Awaiting your approval");
  const chatId = chatIdOf(page);
  const [asked] = await toolPartsOf(deployment, chatId, "tool-create_gmail_draft");
  expect(asked).toMatchObject({ state: "approval-requested" });

  const draftsBefore = countLogged(deployment, DRAFT_CREATED);
  const apis = await straightTo(deployment.instances);
  const decision = { id: chatId, approvals: [{ approvalId: asked!.approval!.id, approved: true }] };
  expect.soft(await raceAtTheClaim(deployment, apis, decision, asked!.toolCallId)).toEqual([200, 409]);

  expect(countLogged(deployment, DRAFT_CREATED) - draftsBefore).toBe(1);
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: asked!.toolCallId, status: "resolved" }]);
  const [decided] = await toolPartsOf(deployment, chatId, "tool-create_gmail_draft");
  expect(decided).toMatchObject({ state: "output-available", output: { subject: "Offsite (Q3)" } });

  await page.reload();
  await expect(card).toContainText("Done");
  await expect(card.getByRole("button", { name: "Approve" })).toHaveCount(0);
  expect(await race(apis, decision)).toEqual([409, 409]);
  expect(countLogged(deployment, DRAFT_CREATED) - draftsBefore).toBe(1);
});

test("a pending purchase polled through both instances at once places one order", async ({ deployment, page, context, straightTo }) => {
  await signIn(page, "carol@example.com");
  const before = await ordersOf(page, deployment, "auth0|carol");
  const chatId = await askToBuy(page, "Buy 2 Acme Widgets");
  await leaveChat(page, deployment, chatId);
  const [interrupt] = await interruptsOf(deployment, chatId);
  const poll = { id: chatId, resume: { toolCallId: interrupt!.tool_call_id } };
  const apis = await straightTo(deployment.instances);
  const placedBefore = countLogged(deployment, ORDER_PLACED);

  // Not approved yet: racing checks change nothing.
  await race(apis, poll);
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: interrupt!.tool_call_id, status: "pending" }]);

  await approveOnDevice(context, deployment, "Buy 2 x Acme Widget for at most 39.98 USD");
  // Once a check is due, both instances would ask the identity server for the token if they both got to.
  await expect.poll(() => dueChecks(deployment, chatId)).toBe(1);
  expect.soft(await raceAtTheClaim(deployment, apis, poll, interrupt!.tool_call_id)).toEqual([200, 409]);
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: interrupt!.tool_call_id, status: "resolved" }]);
  expect(await race(apis, poll)).toEqual([409, 409]);

  const placed = await ordersOf(page, deployment, "auth0|carol");
  expect(placed).toHaveLength(before.length + 1);
  expect(placed.at(-1)).toMatchObject({ quantity: 2, product: { name: "Acme Widget" } });
  expect(countLogged(deployment, ORDER_PLACED) - placedBefore).toBe(1);
  const [authorization] = await deployment.database.sql`select status from async_authorizations where chat_id = ${chatId}`;
  expect(authorization).toEqual({ status: "approved" });

  await page.goto(`/chat/${chatId}`);
  await expect(lastReply(page)).toContainText(placed.at(-1)!.number);
  await expect(lastReply(page).getByRole("region", { name: "Approval required" })).toHaveCount(0);
});

/** How many of the chat's pending CIBA requests may be checked at the identity server now. */
async function dueChecks(deployment: Deployment, chatId: string): Promise<number> {
  const [row] = await deployment.database.sql<{ due: number }[]>`
    select count(*)::int as due from async_authorizations where chat_id = ${chatId} and status = 'pending' and next_poll_at <= now()`;
  return row!.due;
}

test("an instance killed while a purchase waits for approval: approved afterwards, the order is placed once and the chat shows it", async ({
  deployment,
  page,
  context,
}) => {
  await signIn(page, "alice@example.com");
  const before = await ordersOf(page, deployment, "auth0|alice");
  const chatId = await askToBuy(page, "Buy 3 Acme Widgets");
  await leaveChat(page, deployment, chatId);
  const placedBefore = countLogged(deployment, ORDER_PLACED);
  const [killed, survivor] = deployment.instances;
  await killed!.kill();

  await approveOnDevice(context, deployment, "Buy 3 x Acme Widget for at most 59.97 USD");
  // Reopened, the chat is served by the surviving instance alone; its prompt checks the request and carries it out.
  await page.goto(`/chat/${chatId}`);
  await expect(lastReply(page)).toContainText(/ORD-\d+/, { timeout: 30_000 });
  await expect(lastReply(page).getByRole("region", { name: "Approval required" })).toHaveCount(0);
  expect(survivor!.serving).toBe(true);
  const placed = await ordersOf(page, deployment, "auth0|alice");
  expect(placed).toHaveLength(before.length + 1);
  expect(placed.at(-1)).toMatchObject({ quantity: 3, product: { name: "Acme Widget" } });
  await expect(lastReply(page)).toContainText(placed.at(-1)!.number);

  // The killed instance comes back and shares the traffic again: the chat reads the same, and nothing is ordered again.
  await killed!.start();
  for (let i = 0; i < 2; i++) {
    await page.reload();
    await expect(lastReply(page)).toContainText(placed.at(-1)!.number);
  }
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: expect.any(String), status: "resolved" }]);
  expect(await ordersOf(page, deployment, "auth0|alice")).toHaveLength(before.length + 1);
  expect(countLogged(deployment, ORDER_PLACED) - placedBefore).toBe(1);
});

test("an instance killed in the middle of checking a pending purchase: once its claim lapses, another instance carries it out, once", async ({
  deployment,
  page,
  context,
  straightTo,
}) => {
  await signIn(page, "bob@example.com");
  const before = await ordersOf(page, deployment, "auth0|bob");
  const chatId = await askToBuy(page, "Buy 1 Noise-cancelling headphones");
  await leaveChat(page, deployment, chatId);
  const [interrupt] = await interruptsOf(deployment, chatId);
  const placedBefore = countLogged(deployment, ORDER_PLACED);
  await approveOnDevice(context, deployment, "Buy 1 x Noise-cancelling headphones for at most 249.00 USD");

  // A check through one instance is held right after it claimed the call, before it reads the purchase, and the
  // instance dies there: the claim is left behind, the approval not yet collected.
  const [dying] = deployment.instances;
  const [toDying] = await straightTo([dying!]);
  await deployment.database.sql.begin(async (holder) => {
    await holder`lock table async_authorizations in access exclusive mode`;
    const check = toDying!.post("/api/chat", { data: { id: chatId, resume: { toolCallId: interrupt!.tool_call_id } } }).catch(() => null);
    await expect.poll(() => lockWaiters(deployment)).toBe(1);
    await dying!.kill();
    await check;
  });
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: interrupt!.tool_call_id, status: "running" }]);

  // Reopened, the chat keeps asking through the surviving instance; while the claim may still be alive, nothing runs.
  const refusedChecks = () => deployment.requestLog.filter((line) => line === "POST /api/chat 409").length;
  const refusedBefore = refusedChecks();
  await page.goto(`/chat/${chatId}`);
  await expect(lastReply(page).getByRole("region", { name: "Approval required" })).toBeVisible();
  await expect.poll(refusedChecks).toBeGreaterThanOrEqual(refusedBefore + 2);
  expect(await ordersOf(page, deployment, "auth0|bob")).toHaveLength(before.length);
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: interrupt!.tool_call_id, status: "running" }]);

  // The claim's lease (two minutes, CLAIM_LEASE_MS in db/queries/interrupts.ts) runs out: the test moves the claim's
  // time back rather than wait. The chat's next check takes the call over and places the order.
  await deployment.database.sql`update tool_interrupts set updated_at = updated_at - interval '10 minutes' where chat_id = ${chatId}`;
  await expect(lastReply(page)).toContainText(/ORD-\d+/, { timeout: 30_000 });
  const placed = await ordersOf(page, deployment, "auth0|bob");
  expect(placed).toHaveLength(before.length + 1);
  expect(placed.at(-1)).toMatchObject({ quantity: 1, product: { name: "Noise-cancelling headphones" } });
  await expect(lastReply(page)).toContainText(placed.at(-1)!.number);
  expect(countLogged(deployment, ORDER_PLACED) - placedBefore).toBe(1);
  expect(await interruptsOf(deployment, chatId)).toEqual([{ tool_call_id: interrupt!.tool_call_id, status: "resolved" }]);
  const [authorization] = await deployment.database.sql`select status from async_authorizations where chat_id = ${chatId}`;
  expect(authorization).toEqual({ status: "approved" });
});

/** Answers the purchase on the deployment's authenticator page, the stand-in for the user's phone. */
const approveOnDevice = (context: BrowserContext, deployment: Deployment, bindingMessage: string) =>
  answerOnDevice(context, bindingMessage, "Approve", new URL(deployment.env.ASYNC_AUTHORIZATION_APPROVAL_URL!).origin);

test("reloading mid-answer through the other instance follows the reply there and shows it finished", async ({ page }) => {
  await signIn(page, "dave@example.com");
  await send(page, "Tell me a long story about otters");
  await expect(lastReply(page)).toContainText("Once upon a time");
  // Round robin: the reloaded page and its reconnect reach both instances; only the database holds the stream.
  await page.reload();
  await expect(lastReply(page)).toContainText("The end.", { timeout: 30_000 });
  await waitForReply(page);
  const finished = (await lastReply(page).innerText()).trim();
  await page.reload();
  await expect(lastReply(page)).toContainText("The end.");
  expect((await lastReply(page).innerText()).trim()).toBe(finished);
  await expect(page.getByRole("article", { name: "Assistant message" })).toHaveCount(1);
});
