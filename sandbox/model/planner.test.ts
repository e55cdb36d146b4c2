import { zodSchema } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { formatDate } from "./extract";
import { plan, type Plan, type PlannedCall } from "./planner";
import type { ChatMessage, ChatTool, JsonSchema } from "./wire";

// Thursday 15 January 2026, mid-morning, in the test machine's time zone.
const NOW = new Date(2026, 0, 15, 10, 30);

const schemas = {
  get_user_profile: z.object({}),
  list_calendar_events: z.object({ date: z.iso.date().describe("The day to list events for, as YYYY-MM-DD") }),
  search_gmail: z.object({
    query: z.string().min(1).describe("Gmail search query, e.g. 'from:alice invoice'"),
    maxResults: z.number().int().min(1).max(50).optional().describe("Maximum number of messages to return"),
  }),
  list_github_repositories: z.object({
    visibility: z.enum(["all", "public", "private"]).optional().describe("Which repositories to include"),
  }),
  list_slack_channels: z.object({}),
  create_calendar_event: z.object({
    title: z.string().describe("Title of the event"),
    date: z.iso.date().describe("Day of the event"),
    time: z.iso.time().describe("Start time, HH:MM"),
    durationMinutes: z.number().int().positive().optional().describe("Length of the event in minutes"),
    attendees: z.array(z.email()).optional().describe("Email addresses of the people to invite"),
    location: z.string().nullable().describe("Where the event takes place, if known"),
  }),
} as const;
type ToolName = keyof typeof schemas;

const descriptions: Record<ToolName, string> = {
  get_user_profile:
    "Get the signed-in user's name and email address. Use when the user asks who they are or what their email is.",
  list_calendar_events: "List the events on the user's Google Calendar for one day.",
  search_gmail: "Search the user's Gmail messages, e.g. to find an email, an invoice or a receipt.",
  list_github_repositories: "List the GitHub repositories the user owns or can access.",
  list_slack_channels: "List the Slack channels the user is a member of.",
  create_calendar_event: "Create a new event on the user's Google Calendar.",
};

/** The tools as `@ai-sdk/openai` sends them: zod → JSON Schema via the AI SDK itself. */
async function wireTool(name: ToolName): Promise<ChatTool> {
  const schema: z.ZodType = schemas[name];
  const parameters = (await zodSchema(schema).jsonSchema) as JsonSchema;
  return { type: "function", function: { name, description: descriptions[name], parameters } };
}
const realisticTools = await Promise.all(
  (["get_user_profile", "list_calendar_events", "search_gmail", "list_github_repositories", "list_slack_channels"] as const).map(wireTool),
);
const allTools = [...realisticTools, await wireTool("create_calendar_event")];

function ask(text: string, tools = realisticTools): Plan {
  return plan({ messages: [{ role: "user", content: text }], tools }, NOW);
}

/** The single call a plan makes, after checking its arguments against the tool's own zod schema. */
function singleCall(result: Plan): PlannedCall {
  expect(result.type).toBe("tool-calls");
  if (result.type !== "tool-calls") throw new Error("unreachable");
  expect(result.calls).toHaveLength(1);
  const call = result.calls[0]!;
  expect(schemas[call.name as ToolName].safeParse(call.arguments).success).toBe(true);
  return call;
}

function text(result: Plan): string {
  expect(result.type).toBe("text");
  return result.type === "text" ? result.text : "";
}

describe("planner: choosing a tool", () => {
  it("picks get_user_profile for 'Who am I?', among many tools and on its own", () => {
    expect(singleCall(ask("Who am I?"))).toEqual({ name: "get_user_profile", arguments: {} });
    expect(singleCall(ask("Who am I?", [realisticTools[0]!])).name).toBe("get_user_profile");
    expect(singleCall(ask("What is my email address?")).name).toBe("get_user_profile");
  });

  it("picks the calendar for 'What's on my calendar today?' with today's date", () => {
    expect(singleCall(ask("What's on my calendar today?"))).toEqual({
      name: "list_calendar_events",
      arguments: { date: "2026-01-15" },
    });
    expect(singleCall(ask("Any meetings tomorrow?")).arguments).toEqual({ date: "2026-01-16" });
  });

  it("uses the server's current date when none is given", () => {
    const result = plan({ messages: [{ role: "user", content: "What's on my calendar today?" }], tools: realisticTools });
    expect(singleCall(result).arguments).toEqual({ date: formatDate(new Date()) });
  });

  it("picks Gmail search for 'Find the invoice from Acme in my email' with the subject as query", () => {
    expect(singleCall(ask("Find the invoice from Acme in my email"))).toEqual({
      name: "search_gmail",
      arguments: { query: "invoice from Acme" },
    });
  });

  it("picks GitHub and Slack listings, filling an enum mentioned in the text", () => {
    expect(singleCall(ask("Show my private GitHub repos"))).toEqual({
      name: "list_github_repositories",
      arguments: { visibility: "private" },
    });
    expect(singleCall(ask("Which Slack channels am I in?"))).toEqual({ name: "list_slack_channels", arguments: {} });
  });

  it("answers in text when no tool fits", () => {
    expect(text(ask("Hello there"))).toContain("I'm Delegate's sandbox model — set OPENAI_API_KEY for a real LLM.");
    // A shared question word alone ("what") is not a match.
    expect(ask("What's the weather like?").type).toBe("text");
    expect(ask("Who won the world cup in 2018?").type).toBe("text");
    expect(text(ask("Hello there", []))).toContain("No tools are available");
  });

  it("breaks ties deterministically, by order in the request", () => {
    const twin = (name: string): ChatTool => ({ type: "function", function: { name, description: "Look up the weather forecast." } });
    const tools = [twin("forecast_a"), twin("forecast_b")];
    expect(ask("weather forecast", tools)).toEqual({ type: "tool-calls", calls: [{ name: "forecast_a", arguments: {} }] });
    expect(ask("weather forecast", tools)).toEqual(ask("weather forecast", tools));
  });

  it("honours tool_choice", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "Who am I?" }];
    expect(plan({ messages, tools: realisticTools, toolChoice: "none" }, NOW).type).toBe("text");
    const forced = plan({ messages, tools: realisticTools, toolChoice: { type: "function", function: { name: "list_slack_channels" } } }, NOW);
    expect(singleCall(forced).name).toBe("list_slack_channels");
    expect(singleCall(plan({ messages: [{ role: "user", content: "Hello" }], tools: realisticTools, toolChoice: "required" }, NOW)).name).toBeTruthy();
  });

  it("makes one call per clause when a message clearly asks for two things", () => {
    const result = ask("Who am I and what's on my calendar tomorrow?");
    expect(result).toEqual({
      type: "tool-calls",
      calls: [
        { name: "get_user_profile", arguments: {} },
        { name: "list_calendar_events", arguments: { date: "2026-01-16" } },
      ],
    });
    // "invoices and receipts" is one search, not two.
    expect(singleCall(ask("Search my email for invoices and receipts")).arguments).toEqual({ query: "invoices and receipts" });
  });
});

describe("planner: filling arguments", () => {
  it("fills dates, times, numbers, emails, quotes and nullable fields from the schema", () => {
    const call = singleCall(
      ask('Create a calendar event titled "Design review" on Friday at 3pm for forty-five minutes with bob@example.com', allTools),
    );
    expect(call).toEqual({
      name: "create_calendar_event",
      arguments: { title: "Design review", date: "2026-01-16", time: "15:00", durationMinutes: 45, attendees: ["bob@example.com"], location: null },
    });
  });

  it("understands ISO dates, weekdays, 24-hour times and number words", () => {
    const call = singleCall(ask('Create a calendar event "Lunch" on 2026-02-03 at 12:30 for ninety minutes', allTools));
    expect(call.arguments).toMatchObject({ title: "Lunch", date: "2026-02-03", time: "12:30", durationMinutes: 90 });
    expect(singleCall(ask("What's on my calendar next Monday?")).arguments).toEqual({ date: "2026-01-19" });
    expect(singleCall(ask("What was on my calendar yesterday?")).arguments).toEqual({ date: "2026-01-14" });
    expect(singleCall(ask("Show my calendar for March 5")).arguments).toEqual({ date: "2026-03-05" });
  });

  it("fills numbers next to their parameter and clamps them to the schema's range", () => {
    expect(singleCall(ask("Find the 5 latest emails about the Q3 budget")).arguments).toEqual({ maxResults: 5, query: "Q3 budget" });
    expect(singleCall(ask("Search my email for receipts, max 500 results")).arguments).toMatchObject({ maxResults: 50 });
  });

  it("gives a lone number to the required number parameter when an optional one is also open", async () => {
    const schema = z.object({ product: z.string().describe("The product's name."), quantity: z.number().int().describe("How many to buy."), maxPrice: z.number().optional() });
    const parameters = (await zodSchema(schema).jsonSchema) as JsonSchema;
    const buy: ChatTool = { type: "function", function: { name: "buy_product", description: "Buy a product from the shop.", parameters } };
    const result = ask("Buy 2 Acme Widgets", [buy]);
    expect(result).toEqual({ type: "tool-calls", calls: [{ name: "buy_product", arguments: { product: "Acme Widgets", quantity: 2 } }] });
    expect(schema.safeParse({ product: "Acme Widgets", quantity: 2 }).success).toBe(true);
  });

  it("fills names, #channels, owner/repo slugs and flags", async () => {
    const adHoc = async (name: string, description: string, schema: z.ZodType) => {
      const tool: ChatTool = { type: "function", function: { name, description, parameters: (await zodSchema(schema).jsonSchema) as JsonSchema } };
      return (message: string) => {
        const result = plan({ messages: [{ role: "user", content: message }], tools: [...realisticTools, tool] }, NOW);
        const call = result.type === "tool-calls" ? result.calls[0] : undefined;
        expect(call?.name).toBe(name);
        expect(schema.safeParse(call?.arguments).success).toBe(true);
        return call?.arguments;
      };
    };
    const weather = await adHoc("get_weather", "Get the current weather for a city.", z.object({ city: z.string() }));
    expect(weather("What's the weather in Paris?")).toEqual({ city: "Paris" });

    const post = await adHoc(
      "post_slack_message",
      "Post a message to a Slack channel.",
      z.object({ channel: z.string(), text: z.string(), notify: z.boolean().optional().describe("Notify the channel") }),
    );
    expect(post('Post "Deploy finished" to #releases on Slack')).toEqual({ channel: "releases", text: "Deploy finished" });
    expect(post("Post a message to the general channel saying lunch is here, don't notify anyone")).toEqual({
      channel: "general",
      text: "lunch is here",
      notify: false,
    });

    const issues = await adHoc(
      "list_github_issues",
      "List open issues of a GitHub repository.",
      z.object({ owner: z.string(), repo: z.string(), includeClosed: z.boolean().optional() }),
    );
    expect(issues("Show the issues in vercel/ai including closed ones")).toEqual({ owner: "vercel", repo: "ai", includeClosed: true });
  });

  it("asks for a required value instead of inventing it", () => {
    const reply = text(ask("Search my email"));
    expect(reply).toContain("`search_gmail`");
    expect(reply).toContain("**query**");
    expect(text(ask("What's on my calendar?"))).toContain("**date**");
  });

  it("completes the earlier request with the answer to its question", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "Search my email" },
      { role: "assistant", content: text(ask("Search my email")) },
      { role: "user", content: "invoices from Acme" },
    ];
    expect(singleCall(plan({ messages, tools: realisticTools }, NOW))).toEqual({
      name: "search_gmail",
      arguments: { query: "invoices from Acme" },
    });
  });
});

describe("planner: answering", () => {
  const afterTool = (toolName: string, content: string, tools = realisticTools): Plan =>
    plan(
      {
        messages: [
          { role: "user", content: "Who am I?" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: toolName, arguments: "{}" } }] },
          { role: "tool", tool_call_id: "call_1", content },
        ],
        tools,
      },
      NOW,
    );

  it("grounds the answer in a profile result and never calls the tool again", () => {
    const reply = text(afterTool("get_user_profile", JSON.stringify({ name: "Alice Martin", email: "alice@example.com" })));
    expect(reply).toBe("You are **Alice Martin** (alice@example.com).");
  });

  it("lists array items by their most descriptive fields", () => {
    const events = {
      events: [
        { id: "e1", summary: "Standup", start: { dateTime: "2026-01-15T09:00:00Z" }, location: "Zoom" },
        { id: "e2", summary: "1:1 with Bob", start: { dateTime: "2026-01-15T14:00:00Z" } },
      ],
    };
    const reply = text(afterTool("list_calendar_events", JSON.stringify(events)));
    expect(reply).toContain("I found 2 events:");
    expect(reply).toContain("- **Standup** — 2026-01-15 09:00 UTC · Zoom");
    expect(reply).toContain("- **1:1 with Bob**");

    const repos = [{ full_name: "alice/delegate", stargazers_count: 12 }];
    expect(text(afterTool("list_github_repositories", JSON.stringify(repos)))).toContain("**alice/delegate** — stargazers count: 12");
    expect(text(afterTool("list_calendar_events", JSON.stringify({ events: [] })))).toContain("found no events");
  });

  it("says plainly when the tool failed or was denied", () => {
    const failed = text(afterTool("search_gmail", JSON.stringify({ error: "Gmail access token expired" })));
    expect(failed).toContain("`search_gmail` failed: Gmail access token expired");
    const denied = text(afterTool("search_gmail", "Tool call execution denied."));
    expect(denied).toContain("denied");
    expect(denied).toContain("won't try it again");
  });

  it("answers every result of a step that called two tools", () => {
    const result = plan(
      {
        messages: [
          { role: "user", content: "Who am I and what's on my calendar tomorrow?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "a", type: "function", function: { name: "get_user_profile", arguments: "{}" } },
              { id: "b", type: "function", function: { name: "list_calendar_events", arguments: '{"date":"2026-01-16"}' } },
            ],
          },
          { role: "tool", tool_call_id: "a", content: JSON.stringify({ name: "Alice Martin", email: "alice@example.com" }) },
          { role: "tool", tool_call_id: "b", content: JSON.stringify({ events: [{ summary: "Dentist" }] }) },
        ],
        tools: realisticTools,
      },
      NOW,
    );
    expect(text(result)).toContain("alice@example.com");
    expect(text(result)).toContain("**Dentist**");
  });

  it("writes a long, multi-paragraph answer when asked for one", () => {
    const story = text(ask("Tell me a long story about dragons"));
    expect(story.split(/\s+/).length).toBeGreaterThan(280);
    expect(story.split("\n\n").length).toBeGreaterThan(4);
    expect(story).toContain("**A story about dragons**");
    expect(text(ask("Count to 30"))).toContain("21, 22, 23, 24, 25, 26, 27, 28, 29, 30");
  });
});
