import { ClientWriteRequestOnDuplicateWrites } from "@openfga/sdk";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { SignedInUser } from "@/sandbox/test-harness";
import { setUpChatRouteHarness } from "@/tests/harness-setup";
import { gmailDraftCount } from "@/tests/sandbox-readers";
import { session } from "../chat/harness-session";
import { streamChunks, streamedText } from "../chat/test-client";

// Tool permissions through the routes a browser uses, against the sandbox (real FGA stand-in with Delegate's model,
// identity server, shop): a user's switch decides what the agent is offered and what the pipeline runs from the next
// message; a switched-off tool asks nothing of any service and says where to switch it back on; only an
// administrator changes the defaults, and a user's own choice outranks them.
vi.mock("@/lib/auth/session", () => import("../chat/harness-session"));

const harness = setUpChatRouteHarness({ sql: { onnotice: () => {} } });
let PUT: (request: Request, context: { params: Promise<{ tool: string }> }) => Promise<Response>;
let alice: SignedInUser, bob: SignedInUser, carol: SignedInUser;

beforeAll(async () => {
  PUT = (await import("./[tool]/route")).PUT;
  [alice, bob, carol] = [await harness.sandbox.signIn("alice@example.com"), await harness.sandbox.signIn("bob@example.com"), await harness.sandbox.signIn("carol@example.com")];
  // As the sandbox seed and `npm run fga:write-model -- --administrator` do: carol administers the organisation.
  const { getFga } = await import("@/lib/fga/client");
  const { administratorTuples } = await import("@/lib/fga/organization");
  await getFga().write({ writes: administratorTuples(carol.sub) }, { conflict: { onDuplicateWrites: ClientWriteRequestOnDuplicateWrites.Ignore } });
});

afterEach(() => vi.restoreAllMocks());

function change(user: SignedInUser | null, tool: string, body: unknown) {
  session.current = user;
  const request = new Request(`http://localhost:3000/api/permissions/${encodeURIComponent(tool)}`, {
    method: "PUT",
    headers: { "content-type": "application/json", origin: "http://localhost:3000" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return PUT(request, { params: Promise.resolve({ tool }) });
}

async function usable(user: SignedInUser, tool: string) {
  const { toolPermissionsOf } = await import("@/lib/fga/tool-permissions");
  return (await toolPermissionsOf(user.sub, [tool])).tools[0]!;
}

async function say(user: SignedInUser, text: string) {
  session.current = user;
  const chatId = crypto.randomUUID();
  const answer = await harness.client.say(chatId, text);
  const call = streamChunks(answer.text).find((chunk) => chunk.type === "tool-output-available") as { toolCallId: string; output: Record<string, unknown> } | undefined;
  return { chatId, status: answer.status, text: streamedText(answer.text), call };
}

/** Every request the app made from here on, by URL, except to the model. */
function requestsToServices() {
  const fetches = vi.spyOn(globalThis, "fetch");
  return () =>
    fetches.mock.calls.map(([input]) => String(input instanceof Request ? input.url : input)).filter((url) => !url.startsWith(process.env.OPENAI_BASE_URL!));
}

describe("a user's own switch", () => {
  it("switched off, the tool is offered without inputs, asks no service, says where to switch it back on, and the denial is recorded", async () => {
    expect(await change(alice, "buy_product", { for: "me", choice: "off" })).toHaveProperty("status", 204);
    expect(await usable(alice, "buy_product")).toEqual({ tool: "buy_product", usable: false, choice: "off", onByDefault: true });

    const requests = requestsToServices();
    const asked = await say(alice, "Please buy 2 Acme Widgets for me");
    expect(asked.status).toBe(200);
    expect(asked.call?.output).toEqual({
      error: 'You switched off "Buy products" for Delegate, so nothing was done and no service was asked. You can switch it back on in Agent permissions (/permissions).',
    });
    expect(asked.text).toContain("switch it back on in Agent permissions (/permissions)");
    // Neither the shop's catalogue nor the identity server's backchannel endpoint was asked: no approval request.
    expect(requests().filter((url) => url.startsWith(harness.sandbox.shopUrl) || url.startsWith(harness.sandbox.issuer))).toEqual([]);
    const [pending] = await harness.sql`select count(*)::int as n from async_authorizations where chat_id = ${asked.chatId}`;
    expect(pending!.n).toBe(0);

    const trail = await harness.sql<{ action: string; outcome: string; evidence: Record<string, unknown> }[]>`
      select action, outcome, evidence from audit_events where user_id = ${alice.sub} and tool_call_id = ${asked.call!.toolCallId} order by sequence`;
    expect(trail.map((event) => [event.action, event.outcome])).toEqual([
      ["tool.call", "started"],
      ["tool.authorization", "denied"],
      ["tool.result", "denied"],
    ]);
    expect(trail[1]!.evidence).toMatchObject({ authorizer: "tool-permission", decision: "denied", relation: "can_use", object: "tool:buy_product", allowed: false, switchedOffBy: "user" });
    const [changed] = await harness.sql<{ summary: string }[]>`select summary from audit_events where user_id = ${alice.sub} and action = 'permission.change' order by sequence desc limit 1`;
    expect(changed!.summary).toBe('Switched "Buy products" off for Delegate');

    // Bob's switch is his own: the same request goes on to his phone.
    const bobs = await say(bob, "Please buy 2 Acme Widgets for me");
    expect(bobs.call?.output).toMatchObject({ interrupt: { code: "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING" } });
  });

  it("switched back on, the next message can buy again", async () => {
    expect(await change(alice, "buy_product", { for: "me", choice: "on" })).toHaveProperty("status", 204);
    const asked = await say(alice, "Buy 1 Acme Widget");
    expect(asked.call?.output).toMatchObject({ interrupt: { code: "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING" } });
    expect(await change(alice, "buy_product", { for: "me", choice: "default" })).toHaveProperty("status", 204);
    expect(await usable(alice, "buy_product")).toEqual({ tool: "buy_product", usable: true, choice: null, onByDefault: true });
  });

  it("a tool switched off after the message was offered it is still refused at the call, before any service is asked", async () => {
    // The offer is per message; the switch can change while a message is under way. The pipeline asks again.
    expect(await change(alice, "buy_product", { for: "me", choice: "off" })).toHaveProperty("status", 204);
    const { createTools } = await import("@/lib/ai/tools");
    const tools = createTools({ user: { sub: alice.sub, name: alice.name, email: alice.email, picture: null }, chatId: crypto.randomUUID(), refreshToken: alice.refreshToken, timeZone: "UTC" });
    const requests = requestsToServices();
    const output = await tools.buy_product!.execute!({ product: "Acme Widget", quantity: 1 }, { toolCallId: "call-late", messages: [], context: {} });
    expect(output).toMatchObject({ error: expect.stringContaining('You switched off "Buy products"') });
    expect(requests().filter((url) => url.startsWith(harness.sandbox.shopUrl) || url.startsWith(harness.sandbox.issuer))).toEqual([]);
    await change(alice, "buy_product", { for: "me", choice: "default" });
  });
});

describe("switching off a tool with a call under way", () => {
  it("a draft approved in the chat after its tool was switched off is refused, recorded as denied, and not written", async () => {
    await harness.sandbox.connect(carol, "google-oauth2", ["https://www.googleapis.com/auth/gmail.compose"]);
    const drafts = () => gmailDraftCount(harness.sandbox, carol);
    const before = await drafts();
    session.current = carol;
    const chatId = crypto.randomUUID();
    const asked = await harness.client.say(chatId, 'Create a Gmail draft to bob@example.com with subject "Lunch" saying "See you at noon"');
    const request = streamChunks(asked.text).find((chunk) => chunk.type === "tool-approval-request") as { approvalId: string; toolCallId: string };
    expect(request, asked.text).toBeDefined();

    expect(await change(carol, "create_gmail_draft", { for: "me", choice: "off" })).toHaveProperty("status", 204);
    session.current = carol;
    const answered = await harness.client.answer(chatId, request.approvalId, true);
    expect(answered.status).toBe(200);
    const output = streamChunks(answered.text).find((chunk) => chunk.type === "tool-output-available") as { output: Record<string, unknown> } | undefined;
    expect(output?.output, answered.text).toEqual({
      error: 'You switched off "Write email drafts" for Delegate, so nothing was done and no service was asked. You can switch it back on in Agent permissions (/permissions).',
    });
    expect(await drafts()).toBe(before);
    const trail = await harness.sql<{ action: string; evidence: Record<string, unknown> }[]>`
      select action, evidence from audit_events where user_id = ${carol.sub} and tool_call_id = ${request.toolCallId} order by sequence`;
    expect(trail.map((event) => [event.action, event.evidence.authorizer ?? null, event.evidence.decision ?? null])).toEqual([
      ["tool.authorization", "in-chat-approval", "requested"],
      ["tool.authorization", "in-chat-approval", "granted"],
      ["tool.call", null, null],
      ["tool.authorization", "tool-permission", "denied"],
      ["tool.result", null, null],
    ]);
    await change(carol, "create_gmail_draft", { for: "me", choice: "default" });
  });

  it("a purchase waiting on the phone, resumed after its tool was switched off, is refused and its phone request ended", async () => {
    const asked = await say(bob, "Buy 3 Acme Widgets");
    expect(asked.call?.output).toMatchObject({ interrupt: { code: "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING" } });
    const { toolCallId } = asked.call!;
    expect(await change(bob, "buy_product", { for: "me", choice: "off" })).toHaveProperty("status", 204);
    session.current = bob;
    const resumed = await harness.client.resume(asked.chatId, toolCallId);
    const output = streamChunks(resumed.text).find((chunk) => chunk.type === "tool-output-available") as { output: Record<string, unknown> } | undefined;
    expect(output?.output, resumed.text).toMatchObject({ error: expect.stringContaining('You switched off "Buy products"') });
    const [row] = await harness.sql<{ status: string }[]>`select status from async_authorizations where chat_id = ${asked.chatId} and tool_call_id = ${toolCallId}`;
    expect(row?.status).toBe("cancelled");
    await change(bob, "buy_product", { for: "me", choice: "default" });
  });
});

describe("the organisation's defaults", () => {
  it("only an administrator changes them; a user's own choice outranks them", async () => {
    const refused = await change(bob, "search_gmail", { for: "everyone", on: false });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: { code: "forbidden", message: "Only an administrator can change what Delegate may do for everyone." } });
    const [attempt] = await harness.sql<{ outcome: string; summary: string }[]>`
      select outcome, summary from audit_events where user_id = ${bob.sub} and action = 'permission.change_default' order by sequence desc limit 1`;
    expect(attempt).toEqual({ outcome: "denied", summary: 'Tried to switch "Search your email" off by default for everyone, without being an administrator' });
    expect((await usable(bob, "search_gmail")).onByDefault).toBe(true);

    expect(await change(carol, "search_gmail", { for: "everyone", on: false })).toHaveProperty("status", 204);
    expect(await usable(bob, "search_gmail")).toEqual({ tool: "search_gmail", usable: false, choice: null, onByDefault: false });
    const asked = await say(bob, "Search my email for invoices from Acme");
    expect(asked.call?.output).toEqual({
      error: 'Your administrator switched off "Search your email" for everyone, so nothing was done and no service was asked. You can switch it on for yourself in Agent permissions (/permissions).',
    });

    expect(await change(alice, "search_gmail", { for: "me", choice: "on" })).toHaveProperty("status", 204);
    expect(await usable(alice, "search_gmail")).toEqual({ tool: "search_gmail", usable: true, choice: "on", onByDefault: false });

    // A tool taken for new again (its audience tuple gone, or two servers meeting it at once) is introduced
    // again: that never brings back a default the administrator switched off.
    const { getFga } = await import("@/lib/fga/client");
    await getFga().write({ deletes: [{ user: "user:*", relation: "signed_in", object: "tool:search_gmail" }] });
    expect(await usable(bob, "search_gmail")).toEqual({ tool: "search_gmail", usable: false, choice: null, onByDefault: false });

    expect(await change(carol, "search_gmail", { for: "everyone", on: true })).toHaveProperty("status", 204);
    expect((await usable(bob, "search_gmail")).usable).toBe(true);
    const [event] = await harness.sql<{ summary: string; evidence: Record<string, unknown> }[]>`
      select summary, evidence from audit_events where user_id = ${carol.sub} and action = 'permission.change_default' order by sequence desc limit 1`;
    expect(event).toMatchObject({ summary: 'Switched "Search your email" on by default for everyone', evidence: { fga: { relation: "can_change_default", allowed: true } } });
  });
});

describe("bad requests change nothing", () => {
  it("answers unknown tools, malformed bodies, oversized bodies and signed-out callers with a clear error", async () => {
    const before = await usable(alice, "list_slack_channels");
    const answers = [
      await change(alice, "rm_rf", { for: "me", choice: "off" }),
      await change(alice, "../documents", { for: "me", choice: "off" }),
      await change(alice, "list_slack_channels", { for: "me", choice: "maybe" }),
      await change(alice, "list_slack_channels", { for: "everyone", on: "yes" }),
      await change(alice, "list_slack_channels", "{not json"),
      await change(alice, "list_slack_channels", { for: "me", choice: "off", padding: "x".repeat(5_000) }),
      await change(null, "list_slack_channels", { for: "me", choice: "off" }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 400, 400, 400, 413, 401]);
    for (const answer of answers) expect((await answer.json()).error.message.length).toBeGreaterThan(10);
    expect(await usable(alice, "list_slack_channels")).toEqual(before);
  });
});
