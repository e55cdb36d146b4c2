import { asSchema, type Tool } from "ai";
import { describe, expect, it, vi } from "vitest";
import type { ChunkMatch } from "@/db/queries/documents";
import { buyProduct } from "@/lib/ai/tools/buy-product";
import { checkAvailability } from "@/lib/ai/tools/check-availability";
import { createGmailDraft } from "@/lib/ai/tools/create-gmail-draft";
import { getCalendarEvents } from "@/lib/ai/tools/get-calendar-events";
import { getGithubActivity } from "@/lib/ai/tools/get-github-activity";
import { getUserProfile } from "@/lib/ai/tools/get-user-profile";
import { listGithubRepositories } from "@/lib/ai/tools/list-github-repositories";
import { listSlackChannels } from "@/lib/ai/tools/list-slack-channels";
import { toModelOutput } from "@/lib/ai/tools/model-output";
import { searchDocuments } from "@/lib/ai/tools/search-documents";
import { searchGmail } from "@/lib/ai/tools/search-gmail";
import type { ToolContext } from "@/lib/auth/tool-context";
import { chunkText } from "@/lib/rag/chunk";
import { planGullibly } from "./gullible-planner";
import { plan, type Plan, type PlannedCall } from "./planner";
import type { ChatMessage, ChatTool, JsonSchema } from "./wire";

// The search tool runs for real, on the passages the retriever is made to return, so the model reads what it would.
const retrieved = vi.hoisted(() => ({ chunks: [] as ChunkMatch[] }));
vi.mock("@/lib/rag/retrieve", () => ({ searchDocuments: async () => ({ chunks: retrieved.chunks, strategy: "exact" }) }));

const NOW = new Date(2026, 0, 15, 10, 30);
const context: ToolContext = {
  user: { sub: "auth0|alice", name: "Alice Adams", email: "alice@example.com" } as ToolContext["user"],
  chatId: "chat-1",
  refreshToken: undefined,
  timeZone: "UTC",
};
const appTools: Record<string, Tool> = {
  get_user_profile: getUserProfile(context),
  get_calendar_events: getCalendarEvents(context),
  check_availability: checkAvailability(context),
  search_gmail: searchGmail(context),
  create_gmail_draft: createGmailDraft(context),
  list_github_repositories: listGithubRepositories(context),
  get_github_activity: getGithubActivity(context),
  list_slack_channels: listSlackChannels(context),
  search_documents: searchDocuments(context),
  buy_product: buyProduct(context),
};
/** A tool as the AI SDK sends it to the model. */
const wire = async (name: string, t: Tool): Promise<ChatTool> => ({
  type: "function" as const,
  function: { name, description: t.description as string, parameters: (await asSchema(t.inputSchema).jsonSchema) as JsonSchema },
});
const offered: ChatTool[] = await Promise.all(Object.entries(appTools).map(([name, t]) => wire(name, t)));

const HANDBOOK = [
  "# Team handbook",
  "",
  "Everyone gets 25 days of paid vacation a year; ask your manager two weeks ahead.",
  "",
  "Core hours are 10:00 to 16:00. Expenses under 50 USD need no approval; file them within 30 days.",
  "",
  "Parents get 16 weeks of paid parental leave, to take within the child's first year (see hr.example.com/leave).",
  "",
  "The company pays up to 1,250.50 EUR toward a bike every 3 years; apply at https://intranet.example.com/bike?form=2. Dr. Ng signs it.",
  "",
  "## Kurz auf Deutsch",
  "",
  "Alle haben 25 Urlaubstage im Jahr. Kernarbeitszeit ist 10:00–16:00 Uhr.",
].join("\n");
const FORECAST = "# Q3 forecast\r\n\r\nWe forecast Q3 revenue of 4.2 million USD, up 12% on Q2.\r\n\r\n| Line | Share |\n|---|---|\n| Acme Widget | 61.5% |";

/** The documents as stored: chunked by the app's own chunker, small chunks so each document has several. */
function matches(...documents: [name: string, text: string][]): ChunkMatch[] {
  return documents.flatMap(([name, text], d) =>
    chunkText(text, { size: 120, overlap: 30 }).map((chunk, ordinal) => ({
      chunkId: `${d}-${ordinal}`,
      documentId: `doc-${d}`,
      documentName: name,
      content: chunk.content,
      ordinal,
      startOffset: chunk.start,
      endOffset: chunk.end,
      distance: 0.5,
    })),
  );
}

const ask = (question: string, tools = offered): Plan => plan({ messages: [{ role: "user", content: question }], tools }, NOW);

function onlyCall(result: Plan): PlannedCall {
  expect(result.type).toBe("tool-calls");
  if (result.type !== "tool-calls") throw new Error("unreachable");
  expect(result.calls).toHaveLength(1);
  return result.calls[0]!;
}

/** Asks, runs the search the model chose through the real tool, and returns the model's final answer. */
async function answer(question: string, planner = plan): Promise<string> {
  const call = onlyCall(ask(question));
  expect(call.name).toBe("search_documents");
  // The search tool's own work, as the pipeline runs it once the call is recorded (the pipeline and its audit
  // events are tested in lib/ai/tools/pipeline.test.ts; here no database or configuration exists).
  const output = await searchDocuments.declaration.run(call.arguments as never, {
    context,
    toolCallId: "call_1",
    accessToken: () => {
      throw new Error("search_documents needs no token");
    },
    entered: () => {},
    evidence: () => {},
  });
  const messages: ChatMessage[] = [
    { role: "user", content: question },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: call.name, arguments: JSON.stringify(call.arguments) } }] },
    { role: "tool", tool_call_id: "call_1", content: JSON.stringify(toModelOutput({ output }).value) },
  ];
  const result = planner({ messages, tools: offered }, NOW);
  expect(result.type).toBe("text");
  return result.type === "text" ? result.text : "";
}

/** The quoted text and the characters the answer cites for it, counted from 1 as the answer states them. */
function citedQuote(text: string) {
  const where = /\(passage (\d+), characters (\d+)–(\d+)\):/.exec(text);
  const quote = text.split("\n").filter((line) => line.startsWith(">")).map((line) => line.replace(/^> ?/, "")).join("\n");
  return { passage: Number(where?.[1]), from: Number(where?.[2]), to: Number(where?.[3]), quote };
}

describe("sandbox model: questions go to the documents when no other tool fits", () => {
  it("searches the documents for plain questions, in English and German, with the question's own words", () => {
    for (const question of [
      "How many vacation days do we get?",
      "what's our parental leave policy",
      "When is the expense report due?",
      "Wie viele Urlaubstage haben wir?",
      "What are the core hours?",
      "Do we work on public holidays?",
      "Tell me about the Q3 forecast",
    ]) {
      const call = onlyCall(ask(question));
      expect(call.name, question).toBe("search_documents");
      expect(String(call.arguments.query).length).toBeGreaterThan(0);
    }
    expect(onlyCall(ask("How many vacation days do we get?")).arguments.query).toMatch(/vacation days/);
  });

  it("still sends calendar, email, GitHub, Slack, profile and shop requests to their tools", () => {
    const expected: [string, string][] = [
      ["What's on my calendar today?", "get_calendar_events"],
      ["What meetings do I have on Friday?", "get_calendar_events"],
      ["Am I free tomorrow at 3pm?", "check_availability"],
      ["Any emails from Bob about the invoice?", "search_gmail"],
      ["Do I have any unread email?", "search_gmail"],
      ["Draft an email to bob@example.com saying hi", "create_gmail_draft"],
      ["List my GitHub repositories", "list_github_repositories"],
      ["What Slack channels do we have?", "list_slack_channels"],
      ["Who am I?", "get_user_profile"],
      ["Buy 2 Acme Widgets", "buy_product"],
      ["Could you buy me 2 Acme Widgets?", "buy_product"],
      ["Did I get any email about my order?", "search_gmail"],
      ["I'd like to purchase 3 USB-C cables", "buy_product"],
      ["Search my documents for vacation", "search_documents"],
    ];
    for (const [question, tool] of expected) expect(onlyCall(ask(question)).name, question).toBe(tool);
    // A bracket in a product's name is kept whole, closing bracket included.
    expect(onlyCall(ask("Buy 1 USB-C cable (2 m)")).arguments).toEqual({ quantity: 1, product: "USB-C cable (2 m)" });
  });

  it("calls a tool the user switched off, offered without inputs, so it can say why it cannot help", async () => {
    // As an LLM would: the unavailable tool still names what it does, and calling it is how the model learns why.
    const unavailable = await wire("buy_product", buyProduct(context, false));
    const tools = offered.map((t) => (t.function.name === "buy_product" ? unavailable : t));
    for (const question of ["Buy 2 Acme Widgets", "Could you buy me 2 Acme Widgets?", "Please purchase a USB-C cable"])
      expect(onlyCall(ask(question, tools)), question).toEqual({ name: "buy_product", arguments: {} });
    expect(onlyCall(ask("How many vacation days do we get?", tools)).name).toBe("search_documents");
  });

  it("asks the documents and another tool at once when a message asks two things", () => {
    const result = ask("Who am I and how many vacation days do we get?");
    expect(result.type === "tool-calls" && result.calls.map((c) => c.name)).toEqual(["get_user_profile", "search_documents"]);
  });

  it("answers small talk and writes stories itself, and asks no document search when none is offered", () => {
    expect(ask("Hello").type).toBe("text");
    expect(ask("Thanks!").type).toBe("text");
    expect(ask("Tell me a long story about otters").type).toBe("text");
    expect(ask("Can you count to 20?").type).toBe("text");
    const withoutDocuments = offered.filter((t) => t.function.name !== "search_documents");
    expect(ask("what's our parental leave policy", withoutDocuments).type).toBe("text");
    expect(onlyCall(ask("How many vacation days do we get?", withoutDocuments)).name).toBe("get_calendar_events"); // as before
  });
});

describe("sandbox model: answers quote the passage word for word, with its document and place", () => {
  const cases: [question: string, document: string, source: string, passage: RegExp][] = [
    ["How many vacation days do we get?", "Team handbook.md", HANDBOOK, /^Everyone gets 25 days of paid vacation a year; ask your manager two weeks ahead\.$/],
    ["what's our parental leave policy", "Team handbook.md", HANDBOOK, /16 weeks of paid parental leave.*\(see hr\.example\.com\/leave\)\.$/],
    ["When is the expense report due?", "Team handbook.md", HANDBOOK, /^Expenses under 50 USD need no approval; file them within 30 days\.$/],
    ["Wie viele Urlaubstage haben wir?", "Team handbook.md", HANDBOOK, /^Alle haben 25 Urlaubstage im Jahr\.$/],
    ["How much does the company pay toward a bike?", "Team handbook.md", HANDBOOK, /^The company pays up to 1,250\.50 EUR toward a bike every 3 years; apply at https:\/\/intranet\.example\.com\/bike\?form=2\.$/],
    ["What is the Q3 revenue forecast?", "Q3 forecast.md", FORECAST, /^We forecast Q3 revenue of 4\.2 million USD, up 12% on Q2\.$/],
  ];
  for (const [question, document, source, passage] of cases) {
    it(`"${question}" → ${document}`, async () => {
      retrieved.chunks = matches(["Q3 forecast.md", FORECAST], ["Team handbook.md", HANDBOOK]);
      const text = await answer(question);
      expect(text).toContain(`**${document}**`);
      const { from, to, quote } = citedQuote(text);
      expect(quote).toMatch(passage);
      expect(source.slice(from - 1, to)).toBe(quote);
    });
  }

  it("says so when no passage speaks to the question, and still shows the closest one", async () => {
    retrieved.chunks = matches(["Team handbook.md", HANDBOOK]);
    const text = await answer("Who won the world cup?");
    expect(text).toMatch(/^None of the passages I found answers that directly\. The closest is from \*\*Team handbook\.md\*\*/);
  });

  it("says nothing was found when the user may read no matching document", async () => {
    retrieved.chunks = [];
    expect(await answer("How many vacation days do we get?")).toMatch(/found no passages/);
  });

  it("cites chunks stored before offsets by passage number alone", async () => {
    retrieved.chunks = matches(["Team handbook.md", HANDBOOK]).map((c) => ({ ...c, startOffset: null, endOffset: null }));
    const text = await answer("How many vacation days do we get?");
    expect(text).toMatch(/^From \*\*Team handbook\.md\*\* \(passage 1\):\n\n> Everyone gets 25 days/);
  });

  it("gullible or not, the model quotes the same passage when the passages carry no instructions", async () => {
    retrieved.chunks = matches(["Team handbook.md", HANDBOOK]);
    const question = "How many vacation days do we get?";
    expect(await answer(question, planGullibly)).toBe(await answer(question));
  });
});
