import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PgDialect } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import type { SQL } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { runMigrations } from "./migrate";
import { auditEventFacets, auditEventsPageQuery, auditFacetQueries, toolDecisionQuery } from "./queries/audit";

// The Activity page's reads and the in-chat approval's look-up, planned on a user with 20,000 events written before
// migration 0009: the migration applies over them, and each read then goes through its index, not the whole history.
const HEAVY = "auth0|heavy-user (Zoë «O'Brien»)";
const OTHER = "auth0|someone-else";
const EVENTS = 20_000;
const TOOLS = ["get_calendar_events", "search_documents", "search_gmail", "check_availability", "get_user_profile", "list_slack_channels", "create_gmail_draft"];
const CHAT = "5d0c1c55-5b0e-4c53-9a0b-8f3f0d6a2b11";

let server: SandboxPostgres;
let sql: postgres.Sql;
let folder: string;

/** db/migrations as it was before `tag`: the files before it and a journal that ends there. */
async function migrationsBefore(tag: string): Promise<string> {
  const target = await mkdtemp(path.join(tmpdir(), "migrations-"));
  await cp("db/migrations", target, { recursive: true });
  const journalPath = path.join(target, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalPath, "utf8")) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((entry) => entry.tag === tag);
  expect(index).toBeGreaterThan(0);
  for (const entry of journal.entries.slice(index)) await rm(path.join(target, `${entry.tag}.sql`));
  await writeFile(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, index) }));
  return target;
}

/**
 * A history as the pipeline and the document routes write it: each tool call a request, a decision and a result, now
 * and then a document action with its FGA check. One purchase, one async approval and one in-chat approval among them.
 */
async function writeHistory(userId: string, count: number) {
  await sql`
    insert into audit_events (id, user_id, sequence, occurred_at, agent_id, chat_id, tool_call_id, action, evidence, summary, outcome, hash)
    select gen_random_uuid(), ${userId}, i, timestamptz '2026-01-01' + i * interval '1 minute', 'delegate-app',
      ${CHAT}::uuid, 'call-' || (i / 3),
      case when i % 50 = 0 then 'document.download' else (array['tool.call', 'tool.authorization', 'tool.result'])[i % 3 + 1] end,
      case
        when i % 50 = 0 then jsonb_build_object('documentId', 'd-' || i, 'fga', jsonb_build_object('relation', 'can_view', 'object', 'doc:d-' || i, 'allowed', true))
        when i % 3 = 1 then jsonb_build_object('tool', (${TOOLS}::text[])[i % 7 + 1], 'authorizer', case when i % 9 = 1 then 'token-vault' else 'tool-permission' end, 'decision', 'granted')
        else jsonb_build_object('tool', (${TOOLS}::text[])[i % 7 + 1], 'entered', jsonb_build_object('documents', jsonb_build_array('d-' || i)))
      end,
      'Event ' || i, 'done', md5(i::text)
    from generate_series(1, ${count}) as i`;
}

beforeAll(async () => {
  server = await startSandboxPostgres({ port: 0 });
  sql = postgres(server.url, { max: 1, onnotice: () => {} });
  folder = await migrationsBefore("0009_audit_filter_indexes");
  await migrate(drizzle(sql), { migrationsFolder: folder });
  await writeHistory(HEAVY, EVENTS);
  await writeHistory(OTHER, 2_000);
  const rare = (sequence: number, tool: string, action: string, evidence: Record<string, unknown>) =>
    sql`insert into audit_events (id, user_id, sequence, occurred_at, agent_id, chat_id, tool_call_id, action, evidence, summary, outcome, hash)
        values (gen_random_uuid(), ${HEAVY}, ${sequence}, now(), 'delegate-app', ${CHAT}, 'call-rare', ${action}, ${JSON.stringify({ tool, ...evidence })}::jsonb, 'rare', 'done', 'x')`;
  await rare(EVENTS + 1, "buy_product", "tool.authorization", { authorizer: "async-approval", decision: "granted" });
  await rare(EVENTS + 2, "create_gmail_draft", "tool.authorization", { authorizer: "in-chat-approval", decision: "granted" });
  // The existing database moves on to 0009 as the app's start-up migrates it.
  await runMigrations(server.url);
  await sql`analyze audit_events`;
  process.env.DATABASE_URL = server.url;
}, 120_000);

afterAll(async () => {
  await sql?.end();
  await server?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const dialect = new PgDialect();

async function planOf(query: SQL | { toSQL(): { sql: string; params: unknown[] } }): Promise<string> {
  const { sql: text, params } = "toSQL" in query ? query.toSQL() : dialect.sqlToQuery(query);
  const rows = await sql.unsafe<{ "QUERY PLAN": string }[]>(`explain ${text}`, params as postgres.ParameterOrJSON<never>[]);
  return rows.map((row) => row["QUERY PLAN"]).join("\n");
}

describe("the audit trail's reads on a long history (PGlite)", () => {
  it("applies migration 0009 over events written before it", async () => {
    const indexes = await sql<{ indexname: string }[]>`select indexname from pg_indexes where tablename = 'audit_events' order by indexname`;
    expect(indexes.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(["audit_events_user_action_idx", "audit_events_user_decision_idx", "audit_events_user_tool_call_idx", "audit_events_user_tool_idx"]),
    );
  });

  it("lists the user's actions, tools and decision kinds by probing their indexes, never reading the history", async () => {
    const queries = auditFacetQueries(HEAVY);
    for (const [facet, index] of [
      ["actions", "audit_events_user_action_idx"],
      ["tools", "audit_events_user_tool_idx"],
      ["decisions", "audit_events_user_decision_idx"],
    ] as const) {
      const plan = await planOf(queries[facet]);
      expect(plan, facet).toContain(index);
      expect(plan, facet).not.toContain("Seq Scan");
      expect(plan, facet).not.toContain("audit_events_user_occurred_idx");
    }
    expect(await auditEventFacets(HEAVY)).toEqual({
      actions: ["document.download", "tool.authorization", "tool.call", "tool.result"],
      tools: ["buy_product", ...TOOLS].sort(),
      decisions: ["async-approval", "fga", "in-chat-approval", "token-vault", "tool-permission"],
    });
  });

  it("reads a page filtered to a rare tool or decision through that filter's index", async () => {
    expect(await planOf(auditEventsPageQuery(HEAVY, { tool: "buy_product" }, { limit: 51 }))).toContain("audit_events_user_tool_idx");
    expect(await planOf(auditEventsPageQuery(HEAVY, { decision: "async-approval" }, { limit: 51 }))).toContain("audit_events_user_decision_idx");
    const [purchase] = await auditEventsPageQuery(HEAVY, { tool: "buy_product" }, { limit: 51 });
    expect(purchase).toMatchObject({ evidence: { tool: "buy_product", authorizer: "async-approval" } });
  });

  it("finds one call's recorded decision by its index", async () => {
    const question = { userId: HEAVY, chatId: CHAT, toolCallId: "call-rare", authorizer: "in-chat-approval", decision: "granted" };
    const plan = await planOf(toolDecisionQuery(question));
    expect(plan).toContain("audit_events_user_tool_call_idx");
    expect(plan).not.toContain("Seq Scan");
    expect(await toolDecisionQuery(question)).toEqual([expect.objectContaining({ evidence: expect.objectContaining({ tool: "create_gmail_draft" }) })]);
  });
});
