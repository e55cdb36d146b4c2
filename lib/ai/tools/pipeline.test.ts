import { asSchema, type FlexibleSchema } from "ai";
import { MockLanguageModelV4 } from "ai/test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AUTHORIZER_ORDER } from "@/lib/auth/authorizer";
import { offlineContext, stubOfflineConfig } from "./test-support";

// Every tool the agent's factory creates goes through the one pipeline: it is marked as built there, named as
// declared, its authorizers come in the contract's order, and when its audit event cannot be written it does nothing
// at all — no identity server, provider, shop, FGA or database call — and says so.
const audit = vi.hoisted(() => ({ fail: false, written: [] as { action: string }[], slowCallMs: 0 }));
vi.mock("@/lib/audit/record", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/audit/record")>();
  return {
    ...actual,
    recordAuditEvent: async (event: { action: string }) => {
      if (audit.fail) throw new actual.AuditUnavailableError("the audit event could not be written");
      if (event.action === "tool.call" && audit.slowCallMs > 0) await new Promise((resolve) => setTimeout(resolve, audit.slowCallMs));
      audit.written.push(event);
      return { id: crypto.randomUUID() };
    },
  };
});

// FGA's answer to "may the agent use this tool for this user?" (lib/fga/tool-permissions.ts), as each test sets it.
const permission = vi.hoisted(() => ({ allowed: true, switchedOffByUser: false, unavailable: false, asked: [] as string[], whileAsking: async () => {} }));
vi.mock("@/lib/fga/tool-permissions", async () => {
  const { FgaUnavailableError } = await import("@/lib/fga/client");
  return {
    checkToolUse: async (_user: string, tool: string) => {
      permission.asked.push(tool);
      // FGA answers as things stood when it was asked, however long it then takes.
      const { unavailable, allowed, switchedOffByUser } = permission;
      await permission.whileAsking();
      if (unavailable) throw new FgaUnavailableError("Authorization service failed to answer (batch-check)");
      return { relation: "can_use", object: `tool:${tool}`, allowed, switchedOffByUser };
    },
  };
});

// The users whose listing a search asked for ahead (lib/rag/retrieve.ts), instead of asking FGA.
const listedAhead = vi.hoisted(() => [] as string[]);
vi.mock("@/lib/rag/retrieve", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/rag/retrieve")>()),
  listAhead: (userSub: string) => void listedAhead.push(userSub),
}));

// The chat model runAgent asks, as each test scripts it.
const model = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock("@/lib/model", () => ({ chatModel: () => model.current }));

/** A valid input for each tool, as the model would send it; a new tool without one fails the enumeration below. */
const SAMPLE_INPUTS: Record<string, object> = {
  get_user_profile: {},
  get_calendar_events: { date: "2026-03-02" },
  check_availability: { time: "14:30", people: ["bob@example.com"] },
  search_gmail: { query: "invoice from:acme" },
  create_gmail_draft: { to: "bob@example.com", subject: "Lunch?", body: "Tomorrow at noon (Café Zürich)?" },
  list_github_repositories: { limit: 5 },
  get_github_activity: {},
  list_slack_channels: {},
  search_documents: { query: "How many vacation days do we get?" },
  buy_product: { product: "Acme Widget", quantity: 2 },
};

const context = offlineContext();

stubOfflineConfig();

afterEach(() => {
  audit.fail = false;
  audit.written = [];
  audit.slowCallMs = 0;
  Object.assign(permission, { allowed: true, switchedOffByUser: false, unavailable: false, asked: [], whileAsking: async () => {} });
  vi.restoreAllMocks();
});

describe("every tool the agent's factory creates", () => {
  it("is built by the pipeline from its one declaration, with its authorizers in the contract's order", async () => {
    const { createTools, DECLARED_TOOLS } = await import(".");
    const { PIPELINE } = await import("./pipeline");
    const tools = createTools(context);
    expect(Object.keys(tools).toSorted()).toEqual(DECLARED_TOOLS.map((each) => each.declaration.name).toSorted());
    for (const [name, each] of Object.entries(tools)) {
      const declaration = (each as unknown as Record<symbol, { name: string; title: string; risk: string; authorizers: { kind: string }[] } | undefined>)[PIPELINE];
      expect(declaration, `${name} bypasses the pipeline`).toBeDefined();
      expect(declaration!.name).toBe(name);
      expect(declaration!.title.length, name).toBeGreaterThan(0);
      expect(["read", "write", "spend"]).toContain(declaration!.risk);
      const positions = declaration!.authorizers.map((authorizer) => AUTHORIZER_ORDER.indexOf(authorizer.kind as never));
      expect(positions, name).toEqual(positions.toSorted((a, b) => a - b));
      expect(SAMPLE_INPUTS[name], `${name} needs a sample input in this test`).toBeDefined();
    }
  });

  it("offers the model its declared input schema, converted to JSON Schema once for every request, and validates with it", async () => {
    const { createTools, DECLARED_TOOLS } = await import(".");
    const [first, second] = [createTools(context), createTools(context, new Set())];
    const again = createTools(context);
    for (const { declaration } of DECLARED_TOOLS) {
      const name = declaration.name as keyof typeof first;
      if (!first[name]) continue;
      // The AI SDK's own schema object, kept across requests (a bare Zod schema would be wrapped and converted anew).
      const offered = asSchema(first[name]!.inputSchema as FlexibleSchema<unknown>);
      expect(offered, name).toBe(first[name]!.inputSchema);
      expect(again[name]!.inputSchema, name).toBe(offered);
      expect(second[name]!.inputSchema, name).not.toBe(offered);
      expect(await offered.jsonSchema, name).toEqual(await asSchema(declaration.inputSchema as z.ZodType).jsonSchema);
      expect((await offered.validate!(SAMPLE_INPUTS[name])).success, name).toBe(true);
    }
    const draft = await asSchema(first.create_gmail_draft.inputSchema).validate!({ to: "bob@example.com" });
    expect(draft.success).toBe(false);
  });

  it("does nothing — no request to any service — when its audit event cannot be written, and says so", async () => {
    const { createTools } = await import(".");
    const { AUDIT_UNAVAILABLE_MESSAGE } = await import("@/lib/audit/record");
    const fetches = vi.spyOn(globalThis, "fetch");
    audit.fail = true;
    for (const [name, each] of Object.entries(createTools(context))) {
      const output = await each.execute!(SAMPLE_INPUTS[name] as never, { toolCallId: `call-${name}`, messages: [], context: {} });
      expect(output, name).toEqual({ error: AUDIT_UNAVAILABLE_MESSAGE });
    }
    expect(fetches).not.toHaveBeenCalled();
  });

  it("records the call before it runs, the permission check, and its result after", async () => {
    const { createTools } = await import(".");
    const output = await createTools(context).get_user_profile.execute!({}, { toolCallId: "call-1", messages: [], context: {} });
    expect(output).toEqual({ name: "Alice", email: "alice@example.com" });
    expect(audit.written.map((event) => event.action)).toEqual(["tool.call", "tool.authorization", "tool.result"]);
    expect(audit.written[0]).toMatchObject({ userId: "auth0|alice", chatId: context.chatId, toolCallId: "call-1", outcome: "started", evidence: { tool: "get_user_profile", risk: "read", authorizers: ["tool-permission"] } });
    expect(audit.written[1]).toMatchObject({
      outcome: "done",
      evidence: { authorizer: "tool-permission", decision: "granted", relation: "can_use", object: "tool:get_user_profile", allowed: true },
    });
    expect(audit.written[2]).toMatchObject({ outcome: "done", durationMs: expect.any(Number) });
  });
});

describe("the order of the trail when the call's own event is slow to write", () => {
  it("asks FGA meanwhile, but decides, prepares and runs nothing before the call is recorded", async () => {
    const { createTools } = await import(".");
    audit.slowCallMs = 300;
    const fetches = vi.spyOn(globalThis, "fetch");
    const written = () => audit.written.map((event) => event.action);
    // The shop's catalogue (prepare) and the purchase itself both fetch: neither may happen before "tool.call".
    const seenByFetch: string[][] = [];
    fetches.mockImplementation(async () => {
      seenByFetch.push(written());
      return new Response("{}", { status: 503 });
    });
    for (const name of ["get_user_profile", "buy_product"] as const) {
      audit.written = [];
      permission.asked = [];
      await createTools(context)[name]!.execute!(SAMPLE_INPUTS[name] as never, { toolCallId: `slow-${name}`, messages: [], context: {} });
      expect(permission.asked, name).toEqual([name]);
      expect(written()[0], name).toBe("tool.call");
      expect(written().slice(1, 2), name).toEqual(["tool.authorization"]);
    }
    for (const seen of seenByFetch) expect(seen.slice(0, 2)).toEqual(["tool.call", "tool.authorization"]);
  });
});

describe("tool permissions at the moment of the call", () => {
  it("asks FGA first for every tool, and a tool the user switched off asks no service, says where to switch it back on, and is recorded as denied", async () => {
    const { createTools } = await import(".");
    const fetches = vi.spyOn(globalThis, "fetch");
    Object.assign(permission, { allowed: false, switchedOffByUser: true });
    const tools = createTools(context);
    for (const [name, each] of Object.entries(tools)) {
      audit.written = [];
      const output = await each.execute!(SAMPLE_INPUTS[name] as never, { toolCallId: `call-${name}`, messages: [], context: {} });
      expect((output as { error: string }).error, name).toMatch(/^You switched off ".+" for Delegate, so nothing was done and no service was asked\. You can switch it back on in Agent permissions \(\/permissions\)\.$/);
      expect(audit.written.map((event) => [event.action, (event as { outcome?: string }).outcome]), name).toEqual([
        ["tool.call", "started"],
        ["tool.authorization", "denied"],
        ["tool.result", "denied"],
      ]);
      expect(audit.written[1], name).toMatchObject({ evidence: { authorizer: "tool-permission", decision: "denied", object: `tool:${name}`, allowed: false, switchedOffBy: "user" } });
    }
    expect(permission.asked.toSorted()).toEqual(Object.keys(tools).toSorted());
    expect(fetches).not.toHaveBeenCalled();
  });

  it("names the administrator when the default is off, and refuses when FGA does not answer", async () => {
    const { createTools } = await import(".");
    const fetches = vi.spyOn(globalThis, "fetch");
    permission.allowed = false;
    const byDefault = await createTools(context).buy_product!.execute!(SAMPLE_INPUTS.buy_product as never, { toolCallId: "call-a", messages: [], context: {} });
    expect(byDefault).toEqual({ error: 'Your administrator switched off "Buy products" for everyone, so nothing was done and no service was asked. You can switch it on for yourself in Agent permissions (/permissions).' });
    Object.assign(permission, { allowed: true, unavailable: true });
    audit.written = [];
    const noAnswer = await createTools(context).get_user_profile.execute!({}, { toolCallId: "call-b", messages: [], context: {} });
    expect(noAnswer).toEqual({ error: 'The permission service did not answer, so "See your name and email" was not used and nothing was done. Try again in a moment.' });
    expect(audit.written[1]).toMatchObject({ outcome: "denied", evidence: { authorizer: "tool-permission", decision: "refused", failure: "fga_unavailable" } });
    expect(fetches).not.toHaveBeenCalled();
  });

  it("offers a tool the user may not use without its inputs or its work: a call only explains, even if it was switched back on since", async () => {
    const { createTools } = await import(".");
    const fetches = vi.spyOn(globalThis, "fetch");
    const tools = createTools(context, new Set(["get_user_profile"]));
    expect(tools.get_user_profile.description).not.toMatch(/^Unavailable/);
    for (const [name, each] of Object.entries(tools)) {
      if (name === "get_user_profile") continue;
      expect(each.description, name).toMatch(/^Unavailable: the user switched off ".+" in Agent permissions/);
      expect(await asSchema(each.inputSchema as FlexibleSchema<unknown>).jsonSchema, name).toMatchObject({ type: "object", properties: {} });
      permission.allowed = false;
      // Whatever the model invents as arguments is dropped, and the call is refused and recorded, not rejected.
      const refused = await each.execute!(SAMPLE_INPUTS[name] as never, { toolCallId: `call-${name}`, messages: [], context: {} });
      expect((refused as { error: string }).error, name).toContain("nothing was done");
      permission.allowed = true;
      const late = await each.execute!({} as never, { toolCallId: `call-late-${name}`, messages: [], context: {} });
      expect((late as { error: string }).error, name).toMatch(/can be used now, but was not available when this message began\. Ask again to use it\.$/);
    }
    expect(fetches).not.toHaveBeenCalled();
  });
});

describe("the permission asked as the model begins writing a call", () => {
  const options = (toolCallId: string) => ({ toolCallId, messages: [], context: {} });
  const decisions = () => audit.written.filter((event) => event.action === "tool.authorization").map((event) => (event as { evidence?: { decision?: string } }).evidence?.decision);
  const profile = { name: "Alice", email: "alice@example.com" };

  it("runs the call on an early yes, asked once, and the trail says how long before the call it was asked", async () => {
    const { createTools } = await import(".");
    const tools = createTools({ ...context });
    await tools.get_user_profile.onInputStart!(options("early-1"));
    // Switched off while the model finished its response: the yes from a moment before stands.
    permission.allowed = false;
    expect(await tools.get_user_profile.execute!({}, options("early-1"))).toEqual(profile);
    expect(permission.asked).toEqual(["get_user_profile"]);
    expect(audit.written.map((event) => event.action)).toEqual(["tool.call", "tool.authorization", "tool.result"]);
    expect(audit.written[1]).toMatchObject({ evidence: { decision: "granted", allowed: true, askedMsBeforeCall: expect.any(Number) } });

    // Taken once: the same call id run again (a replay) asks FGA again, and gets today's no.
    audit.written = [];
    expect((await tools.get_user_profile.execute!({}, options("early-1")) as { error: string }).error).toMatch(/switched off/);
    expect(permission.asked).toEqual(["get_user_profile", "get_user_profile"]);
    expect(decisions()).toEqual(["denied"]);
    expect(audit.written[1]!).not.toHaveProperty("evidence.askedMsBeforeCall");
  });

  it("asks again after an early no or quick failure, and a yes older than a second", async () => {
    const { createTools } = await import(".");
    const tools = createTools({ ...context });
    let now = 10_000;
    vi.spyOn(performance, "now").mockImplementation(() => now);
    const early = async (id: string, set: Partial<typeof permission>, then: Partial<typeof permission>, waitMs = 0) => {
      audit.written = [];
      Object.assign(permission, set, { asked: [] });
      await tools.get_user_profile.onInputStart!(options(id));
      // FGA answers (or fails) while the model goes on writing.
      await new Promise((resolve) => setTimeout(resolve, 0));
      Object.assign(permission, then);
      now += waitMs;
      const output = await tools.get_user_profile.execute!({}, options(id));
      return { output, asked: permission.asked.length, decisions: decisions() };
    };
    // Switched on since, or FGA back: the call gets the answer of the moment.
    expect(await early("no-then-yes", { allowed: false }, { allowed: true })).toEqual({ output: profile, asked: 2, decisions: ["granted"] });
    expect(await early("down-then-up", { unavailable: true }, { unavailable: false })).toEqual({ output: profile, asked: 2, decisions: ["granted"] });
    // FGA down both times: refused, as any call FGA does not answer.
    const refusal = { error: 'The permission service did not answer, so "See your name and email" was not used and nothing was done. Try again in a moment.' };
    expect(await early("down", { unavailable: true }, {})).toEqual({ output: refusal, asked: 2, decisions: ["refused"] });
    // A quick failure is asked again however long the model then wrote; one that took over a second (FGA stalled
    // until the request timed out) is final, so the call does not wait for a second timeout.
    expect(await early("quick-then-long", { unavailable: true }, { unavailable: false }, 1_500)).toEqual({ output: profile, asked: 2, decisions: ["granted"] });
    const stalled = async () => void (now += 1_001);
    expect(await early("stalled", { unavailable: true, whileAsking: stalled }, { unavailable: false, whileAsking: async () => {} })).toEqual({ output: refusal, asked: 1, decisions: ["refused"] });
    permission.unavailable = false;
    // A yes stands for a second, no longer.
    expect(await early("yes-1000ms", { allowed: true }, { allowed: false }, 1_000)).toMatchObject({ output: profile, asked: 1, decisions: ["granted"] });
    expect(await early("yes-1001ms", { allowed: true }, { allowed: false }, 1_001)).toMatchObject({ asked: 2, decisions: ["denied"] });
  });

  it("belongs to its own call of its own tool in its own turn", async () => {
    const { createTools } = await import(".");
    const tools = createTools({ ...context });
    await tools.get_user_profile.onInputStart!(options("shared-id"));
    permission.allowed = false;
    // The same tool in another turn (another request's tools), and another tool under the same id, ask afresh.
    expect((await createTools({ ...context }).get_user_profile.execute!({}, options("shared-id")) as { error: string }).error).toMatch(/switched off/);
    expect((await tools.list_slack_channels.execute!({}, options("shared-id")) as { error: string }).error).toMatch(/switched off/);
    expect(permission.asked).toEqual(["get_user_profile", "get_user_profile", "list_slack_channels"]);
    expect(decisions()).toEqual(["denied", "denied"]);
  });

  it("lets a tool ask its own question ahead (a search's listing) on an early yes only", async () => {
    listedAhead.length = 0;
    const { createTools } = await import(".");
    const tools = createTools({ ...context });
    await tools.search_documents.onInputStart!(options("search-yes"));
    await vi.waitFor(() => expect(listedAhead).toEqual([context.user.sub]));
    permission.allowed = false;
    await tools.search_documents.onInputStart!(options("search-no"));
    Object.assign(permission, { allowed: true, unavailable: true });
    await tools.search_documents.onInputStart!(options("search-down"));
    await vi.waitFor(() => expect(permission.asked).toEqual(["search_documents", "search_documents", "search_documents"]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(listedAhead).toEqual([context.user.sub]);
  });

  it("is not asked for a call that waits for approval in the chat, nor for an unavailable tool, nor past 16 calls a turn", async () => {
    const { createTools } = await import(".");
    const tools = createTools({ ...context }, new Set(["get_user_profile", "create_gmail_draft"]));
    expect(tools.create_gmail_draft.onInputStart).toBeUndefined();
    expect(tools.list_slack_channels.onInputStart).toBeUndefined();
    for (let call = 1; call <= 20; call++) await tools.get_user_profile.onInputStart!(options(`many-${call}`));
    expect(permission.asked).toHaveLength(16);
  });

  it("is asked through the AI SDK's own hook while the model is still writing, and the call runs on it", async () => {
    const { runAgent } = await import("@/lib/ai/agent");
    const askedWhileWriting: string[][] = [];
    model.current = scriptedModel("get_user_profile", async () => {
      // The SDK reads the model's stream as it arrives; the call's start has reached it once the stream waits a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      askedWhileWriting.push([...permission.asked]);
      permission.allowed = false;
    });
    const { result } = await runAgent({ context: offlineContext(), messages: [{ id: "m1", role: "user", parts: [{ type: "text", text: "Who am I?" }] }], usable: Promise.resolve(new Set(["get_user_profile"])) });
    const parts: { type: string; output?: unknown }[] = [];
    for await (const part of result.stream) parts.push(part);
    expect(askedWhileWriting).toEqual([["get_user_profile"]]);
    expect(parts.find((part) => part.type === "tool-result")?.output).toEqual(profile);
    expect(permission.asked).toEqual(["get_user_profile"]);
    expect(decisions()).toEqual(["granted"]);
  });
});

/**
 * A model that begins a call to `tool`, runs `whileWriting`, then finishes the call (an empty input); its next step
 * answers in text.
 */
function scriptedModel(tool: string, whileWriting: () => Promise<void>) {
  const usage = { inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } };
  let step = 0;
  return new MockLanguageModelV4({
    doStream: async () => {
      step += 1;
      const first = step === 1;
      return {
        stream: new ReadableStream({
          async start(controller) {
            controller.enqueue({ type: "stream-start", warnings: [] });
            if (first) {
              controller.enqueue({ type: "tool-input-start", id: "call-1", toolName: tool });
              await whileWriting();
              controller.enqueue({ type: "tool-input-delta", id: "call-1", delta: "{}" });
              controller.enqueue({ type: "tool-input-end", id: "call-1" });
              controller.enqueue({ type: "tool-call", toolCallId: "call-1", toolName: tool, input: "{}" });
              controller.enqueue({ type: "finish", finishReason: { unified: "tool-calls", raw: "tool_calls" }, usage });
            } else {
              controller.enqueue({ type: "text-start", id: "t" });
              controller.enqueue({ type: "text-delta", id: "t", delta: "You are Alice." });
              controller.enqueue({ type: "text-end", id: "t" });
              controller.enqueue({ type: "finish", finishReason: { unified: "stop", raw: "stop" }, usage });
            }
            controller.close();
          },
        }),
      };
    },
  });
}
