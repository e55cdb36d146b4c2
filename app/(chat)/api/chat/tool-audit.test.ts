import { describe, expect, it, vi } from "vitest";
import { AUDIT_UNAVAILABLE_MESSAGE } from "@/lib/audit/record";
import { withFailingAuditWrites } from "@/lib/audit/test-support";
import { ingestDocument } from "@/lib/rag/ingest";
import { auditVerify } from "@/scripts/audit-verify";
import { approveBackchannelRequest } from "@/sandbox/identity/test-authenticator";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { requestsOnDevice, shopOrders, storedMessages } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { storedApproval } from "./test-approvals";
import { streamChunks, streamedText, untilPast } from "./test-client";

// The audit trail the tool pipeline writes for a calendar question (connect prompt, Token Vault exchange, result)
// and a purchase (approval requested on the device, granted, order), through the chat route against the sandbox:
// the right user, agent, model, chat, turn and call, the decisions with their evidence, and never a token.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const CALENDAR = "https://www.googleapis.com/auth/calendar.events.readonly";
const HANDBOOK = "Vacation policy (2026): every employee gets 27 vacation days a year — 2.25 days per month, rounded up.";

const harness = setUpChatRouteHarness({ sql: { onnotice: () => {} } });

interface Event {
  id: string;
  action: string;
  outcome: string;
  agent_id: string;
  model_id: string | null;
  chat_id: string;
  turn_id: string | null;
  tool_call_id: string;
  evidence: Record<string, unknown>;
  input_digest: string | null;
  summary: string;
  duration_ms: number | null;
}

const eventsOfCall = (user: SignedInUser, toolCallId: string) =>
  harness.sql<Event[]>`select * from audit_events where user_id = ${user.sub} and tool_call_id = ${toolCallId} order by sequence`;

/** The tokens the user's session and connections hold: none of them may appear in the trail. */
async function secretsOf(user: SignedInUser, connection: string) {
  return [user.refreshToken, await harness.sandbox.providerToken(user, connection)].filter((token): token is string => Boolean(token));
}

function firstToolCall(sse: string) {
  const call = streamChunks(sse).find((chunk) => chunk.type === "tool-output-available") as { toolCallId: string; output: Record<string, unknown> } | undefined;
  expect(call, sse).toBeDefined();
  return call!;
}

async function expectChainsVerify() {
  const lines: string[] = [];
  expect(await auditVerify({ DATABASE_URL: harness.sandbox.databaseUrl }, (line) => lines.push(line)), lines.join("\n")).toBe(0);
}

describe("the audit trail of tool calls", () => {
  it("records a document question in one result event: each FGA question and answer, and the documents that reached the model", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    session.current = dave;
    const owner = { sub: dave.sub, name: "Dave", email: null };
    const handbook = await ingestDocument({ owner, name: "Team handbook.md", type: "text/markdown", bytes: new TextEncoder().encode(HANDBOOK) });
    const chatId = crypto.randomUUID();
    const answer = await harness.client.say(chatId, "How many vacation days do we get?");
    const { toolCallId } = firstToolCall(answer.text);

    const events = await eventsOfCall(dave, toolCallId);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([["tool.call", "started"], ["tool.authorization", "done"], ["tool.result", "done"]]);
    expect(events[1]!.evidence).toMatchObject({ authorizer: "tool-permission", relation: "can_use", object: "tool:search_documents", allowed: true });
    const { fga, entered } = events[2]!.evidence as { fga: { questions: Array<Record<string, unknown>> }; entered: { documents: string[]; chunks: string[] } };
    const [listing, ...after] = fga.questions;
    expect(listing).toMatchObject({ call: "list-objects", relation: "can_view", allowedCount: 1, allowed: [handbook.id] });
    // The listing the search ranked by, whoever asked for it: the search itself (the sandbox model writes a call too
    // quickly for a listing asked ahead to be stored first, lib/rag/retrieve.ts), or, if that was stored in time, a
    // listing asked as the model began the call, then checked, or trusted as FGA's changelog shows nothing since
    // (lib/rag/retrieve.test.ts tests those paths).
    const checked = listing!.askedAt !== undefined && listing!.changesReadAt === undefined;
    expect(after).toEqual(checked ? [{ call: "batch-check", relation: "can_view", allowedCount: 1, allowed: [handbook.id] }] : []);
    expect(entered.documents).toEqual([handbook.id]);
    expect(entered.chunks.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain("27 vacation days");
    await expectChainsVerify();
  });

  it("records a calendar question: the connect prompt, then the Token Vault exchange and the result", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    session.current = alice;
    const chatId = crypto.randomUUID();
    const first = await harness.client.say(chatId, "What's on my calendar today?");
    const { toolCallId } = firstToolCall(first.text);

    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    const resumed = await harness.client.resume(chatId, toolCallId);
    expect(resumed.status).toBe(200);

    const events = await eventsOfCall(alice, toolCallId);
    expect(events.map((e) => [e.action, e.outcome, e.evidence.decision ?? null])).toEqual([
      ["tool.call", "started", null],
      ["tool.authorization", "done", "granted"],
      ["tool.authorization", "interrupted", "interrupted"],
      ["tool.result", "interrupted", null],
      ["tool.call", "started", null],
      ["tool.authorization", "done", "granted"],
      ["tool.authorization", "done", "granted"],
      ["tool.result", "done", null],
    ]);
    // The first run's permission was asked as the model began the call; the resumed run (a later request) asked anew.
    const granted = { tool: "get_calendar_events", authorizer: "tool-permission", decision: "granted", relation: "can_use", object: "tool:get_calendar_events", allowed: true };
    expect(events.filter((e) => e.evidence.authorizer === "tool-permission").map((e) => e.evidence)).toEqual([{ ...granted, askedMsBeforeCall: expect.any(Number) }, granted]);
    const [userMessage] = await harness.sql<{ id: string }[]>`select id from messages where chat_id = ${chatId} and role = 'user'`;
    for (const event of events) {
      expect(event).toMatchObject({ agent_id: process.env.AUTH0_CLIENT_ID, chat_id: chatId, turn_id: userMessage!.id, tool_call_id: toolCallId });
      expect(event.model_id).toBeTruthy();
      expect(event.evidence.tool).toBe("get_calendar_events");
      expect(event.input_digest).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(events[0]!.evidence).toMatchObject({ title: "Read your calendar", risk: "read", authorizers: ["tool-permission", "token-vault"] });
    expect(events[2]!.evidence).toMatchObject({ authorizer: "token-vault", connection: "google-oauth2", scopes: [CALENDAR], reason: "not_connected" });
    expect(events[6]!.evidence).toEqual({ tool: "get_calendar_events", authorizer: "token-vault", decision: "granted", connection: "google-oauth2", scopes: [CALENDAR] });
    expect(events[7]!.evidence.entered).toMatchObject({ calendarEvents: expect.arrayContaining([expect.any(String)]) });
    expect(events[7]!.duration_ms).toBeGreaterThanOrEqual(0);

    const trail = JSON.stringify(events);
    for (const secret of await secretsOf(alice, "google-oauth2")) expect(trail).not.toContain(secret);
    expect(trail).not.toMatch(/access_token|eyJ[\w-]+\./);
    await expectChainsVerify();
  });

  it("records a purchase: the request with the words the device showed, the approval and the order", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    session.current = bob;
    const chatId = crypto.randomUUID();
    const first = await harness.client.say(chatId, "Buy 2 Acme Widgets");
    const { toolCallId, output } = firstToolCall(first.text);
    const bindingMessage = (output.interrupt as { bindingMessage: string }).bindingMessage;
    expect(bindingMessage).toBe("Buy 2 x Acme Widget for at most 39.98 USD");

    await approveBackchannelRequest({ issuer: harness.sandbox.issuer, email: bob.email, bindingMessage, decision: "approve" });
    let done = "";
    for (let attempt = 0; attempt < 20 && !done; attempt++) {
      await untilPast((await storedApproval(harness.sql, chatId, toolCallId)).next_poll_at);
      const answer = await harness.client.resume(chatId, toolCallId);
      if (!answer.text.includes("ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING")) done = answer.text;
    }
    const order = firstToolCall(done).output as { orderNumber: string };
    expect(order.orderNumber).toMatch(/^ORD-/);

    const events = await eventsOfCall(bob, toolCallId);
    // Each run asks the tool permission first: the request, then the run after the device's yes.
    expect(events.filter((e) => e.evidence.authorizer === "tool-permission").map((e) => e.evidence.decision)).toEqual(["granted", "granted"]);
    const decisions = events.filter((e) => e.action === "tool.authorization" && e.evidence.authorizer === "async-approval");
    expect(decisions.map((e) => e.evidence.decision)).toEqual(["requested", "interrupted", "granted"]);
    const [requested, waiting, granted] = decisions;
    // The request is recorded before it is sent, so without the id the identity server gives it; the id follows.
    expect(requested!.evidence).toEqual({
      tool: "buy_product",
      authorizer: "async-approval",
      decision: "requested",
      audience: process.env.SHOP_API_AUDIENCE,
      scopes: ["orders:create"],
      bindingMessage,
      authorizationDetails: (output.interrupt as { authorizationDetails: unknown }).authorizationDetails,
      requestedExpirySeconds: expect.any(Number),
    });
    expect(waiting!.evidence).toMatchObject({ bindingMessage, authReqId: (await storedApproval(harness.sql, chatId, toolCallId)).auth_req_id });
    expect(granted!.evidence).toMatchObject({ authorizer: "async-approval", authReqId: waiting!.evidence.authReqId });
    expect(events.at(-1)).toMatchObject({ action: "tool.result", outcome: "done", evidence: { tool: "buy_product", entered: { shopOrders: [order.orderNumber] } } });
    expect(events[0]).toMatchObject({ action: "tool.call", outcome: "started", summary: "Buy 2 x Acme Widgets", evidence: { risk: "spend", authorizers: ["tool-permission", "async-approval"] } });

    const trail = JSON.stringify(events);
    expect(trail).not.toMatch(/access_token|eyJ[\w-]+\./);
    if (bob.refreshToken) expect(trail).not.toContain(bob.refreshToken);
    await expectChainsVerify();
  });

  it("records an in-chat approval: the request with the fields the card showed, the user's yes, then the draft", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    await harness.sandbox.connect(carol, "google-oauth2", ["https://www.googleapis.com/auth/gmail.compose"]);
    session.current = carol;
    const chatId = crypto.randomUUID();
    const first = await harness.client.say(chatId, 'Create a Gmail draft to bob@example.com with subject "Lunch" saying "See you at noon"');
    const request = streamChunks(first.text).find((chunk) => chunk.type === "tool-approval-request") as { approvalId: string; toolCallId: string };
    expect(request, first.text).toBeDefined();
    const answered = await harness.client.answer(chatId, request.approvalId, true);
    expect(answered.status).toBe(200);

    const events = await eventsOfCall(carol, request.toolCallId);
    expect(events.map((e) => [e.action, e.evidence.authorizer ?? null, e.evidence.decision ?? null])).toEqual([
      ["tool.authorization", "in-chat-approval", "requested"],
      ["tool.authorization", "in-chat-approval", "granted"],
      ["tool.call", null, null],
      ["tool.authorization", "tool-permission", "granted"],
      ["tool.authorization", "token-vault", "granted"],
      ["tool.authorization", "in-chat-approval", "verified"],
      ["tool.result", null, null],
    ]);
    const card = { tool: "create_gmail_draft", title: "Write email drafts", shown: ["To: bob@example.com", "Subject: Lunch", "Body: See you at noon"], answerBy: expect.any(String) };
    expect(events[0]).toMatchObject({ summary: "Asked for approval: Write email drafts", evidence: card });
    // The user's yes is recorded once, with the card they answered; the pipeline records that it verified that yes.
    // (Answered from the stored message, whose jsonb input lists its fields in another order, as a reload shows them.)
    expect(events[1]).toMatchObject({ summary: "Approved: Write email drafts", outcome: "done", evidence: { ...card, shown: expect.arrayContaining(card.shown), approvalId: request.approvalId } });
    expect(events[1]!.evidence.shown).toHaveLength(card.shown.length);
    expect(events.filter((e) => e.evidence.decision === "granted" && e.evidence.authorizer === "in-chat-approval")).toHaveLength(1);
    expect(events[5]).toMatchObject({ outcome: "done", evidence: { approvalId: request.approvalId, answerEvent: events[1]!.id, answeredAt: expect.any(String) } });
    expect(events[5]!.input_digest).toBe(events[1]!.input_digest);
    expect(events.at(-1)).toMatchObject({ outcome: "done", evidence: { entered: { gmailDrafts: [expect.any(String)] } } });
    expect(JSON.stringify(events)).not.toMatch(/access_token|eyJ[\w-]+\./);

    // The authorizer runs a call only against the user's recorded yes for that very call and input.
    const { inChatApproval, NO_RECORDED_APPROVAL } = await import("@/lib/auth/in-chat-approval");
    const context = { user: { ...carol, picture: null }, chatId, refreshToken: undefined, timeZone: "UTC" };
    const tried: Array<{ toolCallId: string; input: unknown }> = [
      { toolCallId: request.toolCallId, input: { to: "mallory@example.com", subject: "Lunch", body: "See you at noon" } },
      { toolCallId: "call-never-approved", input: { to: "bob@example.com", subject: "Lunch", body: "See you at noon" } },
    ];
    for (const attempt of tried) {
      const decisions: unknown[] = [];
      const next = vi.fn();
      const output = await inChatApproval().authorize({ context, ...attempt, decide: async (decision) => void decisions.push(decision) }, next);
      expect(output).toEqual({ error: NO_RECORDED_APPROVAL });
      expect(next).not.toHaveBeenCalled();
      expect(decisions).toEqual([{ authorizer: "in-chat-approval", decision: "refused", evidence: { reason: expect.stringMatching(/input differs|no recorded approval/) } }]);
    }
    await expectChainsVerify();
  });

  it("records an in-chat approval nobody answered as lapsed once the user moves on, and nothing runs", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    await harness.sandbox.connect(dave, "google-oauth2", ["https://www.googleapis.com/auth/gmail.compose"]);
    session.current = dave;
    const chatId = crypto.randomUUID();
    const first = await harness.client.say(chatId, 'Create a Gmail draft to zoe.muller@example.de with subject "Q3 (Zoë\'s draft)" saying "Numbers: 4.5% and 1,200.00 EUR"');
    const request = streamChunks(first.text).find((chunk) => chunk.type === "tool-approval-request") as { toolCallId: string };
    expect(request, first.text).toBeDefined();
    await harness.client.say(chatId, "Never mind. Who am I?");

    const events = await eventsOfCall(dave, request.toolCallId);
    expect(events.map((e) => [e.action, e.evidence.decision ?? null])).toEqual([
      ["tool.authorization", "requested"],
      ["tool.authorization", "expired"],
    ]);
    expect(events[1]).toMatchObject({
      summary: "Did not answer in time: Write email drafts",
      outcome: "denied",
      evidence: { authorizer: "in-chat-approval", reason: "not answered before the conversation moved on", shown: expect.arrayContaining(events[0]!.evidence.shown as string[]) },
    });
    expect(events[1]!.evidence.shown).toHaveLength((events[0]!.evidence.shown as string[]).length);
    await expectChainsVerify();
  });
});

describe("a tool call whose audit event cannot be written", () => {
  /** What reached the sandbox's identity server, provider APIs and shop while `run` ran. */
  async function servedDuring(run: () => Promise<void>) {
    const from = harness.sandbox.served.length;
    await run();
    return harness.sandbox.served.slice(from);
  }

  /** The call's stored output and the reply's text: what the user is shown. */
  async function toldUser(chatId: string, sse: string) {
    const { toolCallId, output } = firstToolCall(sse);
    const [reply] = (await storedMessages(harness.sql, chatId)).filter((message) => message.role === "assistant");
    const stored = reply!.parts.find((part) => (part as { toolCallId?: string }).toolCallId === toolCallId) as { output?: unknown } | undefined;
    return { toolCallId, output, stored: stored?.output, text: streamedText(sse) };
  }

  it("a purchase does not run: no approval request reaches the device, no order is placed, and the user is told", async () => {
    const carol = await harness.sandbox.signIn("carol@example.com");
    session.current = carol;
    const ordersBefore = await shopOrders(harness.sandbox, carol);
    const chatId = crypto.randomUUID();
    let sse = "";
    const served = await servedDuring(() =>
      withFailingAuditWrites(harness.sql, async () => {
        sse = (await harness.client.say(chatId, "Please buy 1 USB-C cable (2 m)")).text;
      }),
    );

    const told = await toldUser(chatId, sse);
    expect(told.output).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    expect(told.stored).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    expect(told.text).toContain("activity record is not available");
    expect(served.filter((line) => /bc-authorize|\/orders|\/oauth\/token/.test(line))).toEqual([]);
    expect(await requestsOnDevice(harness.sandbox, carol)).toEqual([]);
    expect(await shopOrders(harness.sandbox, carol)).toEqual(ordersBefore);
    expect(await harness.sql`select 1 from async_authorizations where chat_id = ${chatId}`).toHaveLength(0);
    expect(await eventsOfCall(carol, told.toolCallId)).toEqual([]);
  });

  it("a purchase whose approval request cannot be recorded never sends it to the device", async () => {
    const dave = await harness.sandbox.signIn("dave@example.com");
    session.current = dave;
    const chatId = crypto.randomUUID();
    let sse = "";
    const served = await servedDuring(() =>
      withFailingAuditWrites(
        harness.sql,
        async () => {
          sse = (await harness.client.say(chatId, "Please buy 1 USB-C cable (2 m)")).text;
        },
        { when: "NEW.evidence ->> 'decision' = 'requested'" },
      ),
    );

    const told = await toldUser(chatId, sse);
    expect(told.output).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    expect(served.filter((line) => line.includes("bc-authorize"))).toEqual([]);
    expect(await requestsOnDevice(harness.sandbox, dave)).toEqual([]);
    // The reservation is released: the chat's next request is not blocked by one that was never sent.
    expect(await harness.sql`select 1 from async_authorizations where chat_id = ${chatId}`).toHaveLength(0);
    const events = await eventsOfCall(dave, told.toolCallId);
    expect(events.map((e) => [e.action, e.evidence.authorizer ?? null])).toEqual([
      ["tool.call", null],
      ["tool.authorization", "tool-permission"],
    ]);
    await expectChainsVerify();
  });

  it("a request the device got but the trail could not record as waiting is cancelled, and the user is told", async () => {
    const bob = await harness.sandbox.signIn("bob@example.com");
    session.current = bob;
    const chatId = crypto.randomUUID();
    let sse = "";
    await withFailingAuditWrites(
      harness.sql,
      async () => {
        sse = (await harness.client.say(chatId, "Please buy 2 Acme Widgets")).text;
      },
      { when: "NEW.evidence ->> 'authorizer' = 'async-approval' and NEW.evidence ->> 'decision' = 'interrupted'" },
    );
    const told = await toldUser(chatId, sse);
    expect(told.output).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    // A late approval on the device is never collected: the stored request is no longer polled.
    expect((await storedApproval(harness.sql, chatId, told.toolCallId)).status).toBe("cancelled");
  });

  it("a calendar question does not reach Google", async () => {
    const alice = await harness.sandbox.signIn("alice@example.com");
    await harness.sandbox.connect(alice, "google-oauth2", [CALENDAR]);
    session.current = alice;
    const chatId = crypto.randomUUID();
    let sse = "";
    const served = await servedDuring(() =>
      withFailingAuditWrites(harness.sql, async () => {
        sse = (await harness.client.say(chatId, "What's on my calendar today?")).text;
      }),
    );
    const told = await toldUser(chatId, sse);
    expect(told.output).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    expect(told.stored).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    expect(served.filter((line) => line.includes("[sandbox:providers]") || line.includes("/oauth/token"))).toEqual([]);

    // The same question once the trail can be written again does reach Google: the check above can fail.
    const again = await servedDuring(async () => void (await harness.client.say(crypto.randomUUID(), "What's on my calendar today?")));
    expect(again.filter((line) => line.includes("[sandbox:providers] GET /google/calendar"))).not.toEqual([]);
  });
});
