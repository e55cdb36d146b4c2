import type { DynamicToolUIPart } from "ai";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { buyProduct } from "@/lib/ai/tools/buy-product";
import type { getCalendarEvents } from "@/lib/ai/tools/get-calendar-events";
import { DECLARED_TOOLS } from "@/lib/ai/tools";
import type { listGithubRepositories } from "@/lib/ai/tools/list-github-repositories";
import type { searchGmail } from "@/lib/ai/tools/search-gmail";
import { ToolCard } from "../tool-card";
import type { calendarEventsOutput } from "./calendar-events";
import type { emailMessagesOutput } from "./email-messages";
import { toolResultViews } from "./index";
import type { orderReceiptOutput } from "./order-receipt";
import type { repositoriesOutput } from "./repositories";

// What each tool's `run` returns must be what its view accepts: a change to either fails the type check.
type Succeeded<Tool> = Tool extends { declaration: { run: (...args: never[]) => Promise<infer Output> } } ? Exclude<Output, { error: string }> : never;
type Accepts<Schema extends z.ZodType, Tool> = [Succeeded<Tool>] extends [never] ? false : Succeeded<Tool> extends z.input<Schema> ? true : false;
const contracts: [
  Accepts<typeof calendarEventsOutput, typeof getCalendarEvents>,
  Accepts<typeof emailMessagesOutput, typeof searchGmail>,
  Accepts<typeof repositoriesOutput, typeof listGithubRepositories>,
  Accepts<typeof orderReceiptOutput, typeof buyProduct>,
] = [true, true, true, true];

const card = (name: string, output: unknown) =>
  renderToStaticMarkup(<ToolCard name={name} part={{ type: "dynamic-tool", toolName: name, toolCallId: "call-1", state: "output-available", input: {}, output } as DynamicToolUIPart} />);
/** The text a reader sees, tags removed. */
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

const calendar = {
  date: "2026-12-02",
  timeZone: "Europe/Berlin",
  events: [
    { title: "Team stand-up", start: "09:30", end: "09:45", location: "Room 4" },
    { title: "Company offsite", start: "all day" },
  ],
};
const inbox = {
  query: "invoice",
  messages: [{ id: "m1", subject: "Invoice #1042 from Acme", from: "Acme Billing <billing@acme.example>", date: "Tue, 1 Dec 2026 10:02:00 +0000", snippet: "Your invoice is attached." }],
};
const repos = {
  repositories: [{ name: "alice/delegate", private: true, description: "A careful assistant", language: "TypeScript", stars: 42, url: "https://github.example.com/alice/delegate", lastPush: "2026-11-30T10:00:00Z" }],
  note: "Only public repositories are listed.",
};
const order = { orderNumber: "ORD-7F3A", product: "Acme Widget", quantity: 2, total: "19.98 USD", status: "confirmed" };

describe("per-tool views in the tool card", () => {
  it("every view belongs to a tool the agent has, and matches the tool's output type", () => {
    const names = DECLARED_TOOLS.map((tool) => tool.declaration.name);
    for (const name of Object.keys(toolResultViews)) expect(names, name).toContain(name);
    expect(contracts).toEqual([true, true, true, true]);
  });

  it("calendar events: a list of times and titles", () => {
    const html = card("get_calendar_events", calendar);
    expect(html).toContain('<ul aria-label="Events on Wednesday 2 December"');
    expect(html).toMatch(/<li[^>]*>.*<time dateTime="09:30">09:30<\/time>–<time dateTime="09:45">09:45<\/time>.*Team stand-up.*Room 4.*<\/li>/);
    expect(text(html)).toContain("all day Company offsite");
    expect(card("get_calendar_events", { ...calendar, events: [] })).toContain("No events.");
  });

  it("emails: sender and subject rows", () => {
    const html = card("search_gmail", inbox);
    expect(html).toContain('<ul aria-label="Messages matching “invoice”"');
    expect(text(html)).toContain("Acme Billing &lt;billing@acme.example&gt; Tue, 1 Dec 2026 10:02:00 +0000 Invoice #1042 from Acme");
  });

  it("repositories: links that show where they go and open without opener or referrer", () => {
    const html = card("list_github_repositories", repos);
    expect(html).toContain('<a href="https://github.example.com/alice/delegate" target="_blank" rel="noopener noreferrer"');
    expect(text(html)).toContain("alice/delegate Private TypeScript 42 stars https://github.example.com/alice/delegate A careful assistant");
    expect(text(html)).toContain("Only public repositories are listed.");
  });

  it("an order: a receipt with product, quantity, total, order number and status", () => {
    const html = card("buy_product", order);
    expect(text(html)).toContain("Product Acme Widget Quantity 2 Total 19.98 USD Order number ORD-7F3A Status confirmed");
    expect(html).toContain("<dl");
  });

  it("output of another shape, a tool's error, or another tool: the generic one-line card", () => {
    const generic = [
      card("get_calendar_events", { date: "today", events: "none" }),
      card("search_gmail", { query: "x", messages: [{ subject: "no sender field" }] }),
      card("list_github_repositories", ["alice/delegate"]),
      card("buy_product", { error: "The shop did not accept the order (unavailable). Nothing was bought." }),
      card("buy_product", null),
      card("get_user_profile", { name: "Alice", email: "alice@example.com" }),
    ];
    for (const html of generic) {
      expect(html).toMatch(/^<section aria-label="Tool: [^"]+"[^>]*><div[^>]*><span[^>]*>[^<]+<\/span><span[^>]*>[^<]+<\/span><\/div><p[^>]*>[^<]*<\/p><\/section>$/);
    }
    expect(text(generic[3]!)).toContain("Not done The shop did not accept the order");
  });

  it("a javascript: or data: repository address is never a link: the whole output falls back to text", () => {
    for (const url of ["javascript:alert(document.cookie)", "JAVASCRIPT:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/x", "github.example.com/alice"]) {
      const html = card("list_github_repositories", { repositories: [{ ...repos.repositories[0], url }] });
      expect(html, url).not.toContain("<a");
      expect(html, url).not.toContain("<ul");
    }
  });

  it("hostile text stays text, and very long names wrap inside the card", () => {
    const longName = `${"a".repeat(5000)}/${"b".repeat(5000)}`;
    const html = card("get_calendar_events", { ...calendar, events: [{ title: '<img src="https://evil.example/x.png">' + longName, start: "10:00" }] });
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=");
    expect(html).toMatch(/<span class="[^"]*wrap-anywhere[^"]*"><span[^>]*>&lt;img/);
    const receipt = card("buy_product", { ...order, product: longName });
    expect(receipt).toMatch(/<dd class="[^"]*wrap-anywhere[^"]*">a{5000}\/b{5000}<\/dd>/);
  });
});
