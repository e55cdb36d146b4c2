import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres } from "@/sandbox/postgres/server";
import { tamper } from "@/lib/audit/test-support";
import { auditPrune } from "@/scripts/audit-prune";
import { auditVerify } from "@/scripts/audit-verify";
import { setUpMigratedDatabase } from "@/tests/migrated-database";
import { runNpmScript } from "@/tests/npm-script";
import { canonicalJson, eventHash, sha256Hex, verifyAllChains, verifyUserChain, type ChainedEvent } from "./audit-chain";
import { getDb } from "./client";
import { runMigrations } from "./migrate";
import { appendAuditEvent, listAuditEvents, pruneAuditEvents, type NewAuditEvent } from "./queries/audit";

const event = (userId: string, overrides: Partial<NewAuditEvent> = {}): NewAuditEvent => ({
  id: randomUUID(),
  userId,
  occurredAt: new Date(),
  agentId: "delegate-app",
  modelId: null,
  chatId: null,
  turnId: null,
  toolCallId: null,
  action: "document.share",
  evidence: { fga: { relation: "can_share", object: "doc:1", allowed: true }, target: "bob@example.com (Bob «Chen»)" },
  inputDigest: "0".repeat(64),
  summary: "Shared “Q3 plan (draft).md” with bob@example.com",
  outcome: "done",
  durationMs: null,
  ...overrides,
});

const newUser = () => `auth0|${randomUUID()}`;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Three users' chains, written at these ages in days: one who stopped writing long ago, one still writing, one
 * whose events are all recent. With a retention of 30 days the first loses all 3, the second 2, the third none.
 */
async function writeAgedChains() {
  const users = { inactive: newUser(), active: newUser(), recent: newUser() };
  const ages = { inactive: [400, 200, 31], active: [90, 45, 2, 0], recent: [3, 1] };
  for (const [who, days] of Object.entries(ages))
    for (const age of days) await appendAuditEvent(event(users[who as keyof typeof users], { occurredAt: new Date(Date.now() - age * DAY_MS) }));
  return users;
}

/** What a prune with a retention of 30 days prints for writeAgedChains' users, chains in any order. */
function expectPrunedAgedChains(lines: string[]) {
  // Which chain comes first depends on the random user ids, so only the counts are compared.
  expect(lines.slice(0, 2).map((line) => line.match(/^Chain [12] of 2: (\d+) events removed\.$/)?.[1]).sort()).toEqual(["2", "3"]);
  expect(lines[2]).toMatch(/^Removed 5 audit events older than 30 days \(before \d{4}-\d\d-\d\dT[\d:.]+Z\) from 2 chains\.$/);
  expect(lines).toHaveLength(3);
  expect(lines.join("\n")).not.toContain("auth0|");
}

async function writeChain(userId: string, count: number) {
  for (let i = 0; i < count; i++) await appendAuditEvent(event(userId, { summary: `event ${i + 1}` }));
  return listAuditEvents(userId);
}

describe("canonicalJson", () => {
  it("gives the same text whatever the key order, and keeps non-ASCII exact", () => {
    expect(canonicalJson({ b: [1, { z: null, a: "é 👍" }], a: new Date(0) })).toBe(canonicalJson({ a: new Date(0), b: [1, { a: "é 👍", z: null }] }));
    expect(canonicalJson({ b: 1, a: "x", c: undefined })).toBe('{"a":"x","b":1}');
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
  });
});

describe("eventHash", () => {
  it("is the SHA-256 of the whole event's canonical JSON, as the chains already stored were hashed", () => {
    const chained: ChainedEvent[] = [
      { ...event(newUser()), sequence: 1, prevHash: null },
      {
        ...event(newUser(), { modelId: "gpt-5.1", durationMs: 12, evidence: { prevHash: null, sequence: 0, amount: 12.5, url: "https://x.test/a?b=(c)" } }),
        summary: 'He said "ok",\n\u2028 then left — 👍',
        sequence: 42,
        prevHash: "ab".repeat(32),
      },
    ];
    for (const e of chained) {
      const { id, userId, sequence, occurredAt, agentId, modelId, chatId, turnId, toolCallId, action, evidence, inputDigest, summary, outcome, durationMs, prevHash } = e;
      const whole = { id, userId, sequence, occurredAt, agentId, modelId, chatId, turnId, toolCallId, action, evidence, inputDigest, summary, outcome, durationMs, prevHash };
      expect(eventHash(e)).toBe(sha256Hex(canonicalJson(whole)));
    }
  });
});

describe("the audit chain (PGlite)", () => {
  const database = setUpMigratedDatabase();
  let sql: postgres.Sql;
  beforeAll(() => void (sql = database.sql()));

  it("links each event to the one before, and concurrent writers for one user never fork the chain", async () => {
    const user = newUser();
    // The first wave races to create the chain, the second to extend it.
    for (let wave = 0; wave < 2; wave++)
      await Promise.all(Array.from({ length: 20 }, (_, i) => appendAuditEvent(event(user, { summary: `concurrent ${wave}.${i}` }))));
    const events = await listAuditEvents(user);
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(events[0]!.prevHash).toBeNull();
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("stores events with quotes, line breaks, emoji, decimals, long text, URLs and Dates under the hash eventHash gives them", async () => {
    const user = newUser();
    const untidy = [
      { summary: 'Searched "vacation (PTO)" — 3 results, café ✓ 👍\nsecond line\u2028', evidence: { query: "a\\b\"c", ratio: 0.125, big: 1e21, list: [null, true, "é"] } },
      { summary: "x".repeat(5_000), evidence: {}, modelId: "gpt-5.1-mini", durationMs: 0, chatId: randomUUID(), turnId: "turn-1", toolCallId: "call_Ab-9" },
      { summary: "", evidence: { nested: { z: [{ b: 2, a: 1 }] } }, inputDigest: null, outcome: "denied" as const },
      // What JSON.parse makes of a model's "\ud800" and of "\u0000": Postgres stores neither as it is.
      { summary: "lone \ud800 surrogate, NUL \u0000 here", evidence: { "query\u0000": "\udc00x\u0000" } },
      // Values JSON writes by their toJSON, and members it leaves out.
      { evidence: { url: new URL("https://example.com/a b?q=ü"), at: new Date(Date.UTC(2026, 11, 3)), gone: undefined, list: [undefined, () => 1] } },
    ];
    for (const overrides of untidy) await appendAuditEvent(event(user, overrides));
    const events = await listAuditEvents(user);
    expect(events).toHaveLength(5);
    expect(events[3]).toMatchObject({ summary: "lone \ufffd surrogate, NUL  here", evidence: { query: "\ufffdx" } });
    expect(events[4]!.evidence).toEqual({ url: "https://example.com/a%20b?q=%C3%BC", at: "2026-12-03T00:00:00.000Z", list: [null, null] });
    for (const stored of events) expect(stored.hash).toBe(eventHash(stored));
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("refuses evidence that jsonb would hold as something else: non-finite numbers, an invalid date, no JSON at all", async () => {
    const user = newUser();
    await appendAuditEvent(event(user));
    for (const evidence of [{ ratio: NaN }, { list: [Infinity] }, { at: new Date("not a date") }, undefined, () => 1]) {
      await expect(appendAuditEvent(event(user, { evidence }))).rejects.toThrow(TypeError);
    }
    expect(await listAuditEvents(user)).toHaveLength(1);
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("stores an event once when its append is tried again, its first answer lost, and gives back its place", async () => {
    const user = newUser();
    const first = event(user);
    const placed = await appendAuditEvent(first);
    await appendAuditEvent(event(user));
    expect(await appendAuditEvent(first)).toEqual(placed);
    // The same when the second attempt takes the transaction (events are due for pruning), whose insert then fails.
    const old = newUser();
    await appendAuditEvent(event(old, { occurredAt: new Date(Date.now() - 40 * DAY_MS) }));
    const pruning = event(old);
    const placedFirst = await appendAuditEvent(pruning);
    expect(await appendAuditEvent(pruning, { pruneBefore: new Date(Date.now() - 30 * DAY_MS) })).toEqual(placedFirst);
    expect((await listAuditEvents(user)).map((e) => e.sequence)).toEqual([1, 2]);
    // The transaction rolled back whole, its pruning with it.
    expect((await listAuditEvents(old)).map((e) => e.sequence)).toEqual([1, 2]);
    expect(await verifyAllChains(sql)).toMatchObject({ breaks: [] });
    // Another user's event id is not theirs to be told about.
    await expect(appendAuditEvent({ ...first, userId: newUser() })).rejects.toThrow();
  });

  it("appends an event to an existing chain in one statement, without a transaction", async () => {
    const user = newUser();
    await appendAuditEvent(event(user));
    const db = getDb();
    const transaction = db.transaction;
    let transactions = 0;
    db.transaction = ((...args: Parameters<typeof transaction>) => (transactions++, transaction.apply(db, args))) as typeof transaction;
    try {
      await appendAuditEvent(event(user), { pruneBefore: new Date(Date.now() - DAY_MS) });
    } finally {
      db.transaction = transaction;
    }
    expect(transactions).toBe(0);
    expect((await listAuditEvents(user)).map((e) => e.sequence)).toEqual([1, 2]);
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("refuses an event inserted anywhere but at the end of its chain", async () => {
    const user = newUser();
    const [, second] = await writeChain(user, 2);
    const insert = (sequence: number, prevHash: string | null) =>
      sql`insert into audit_events (id, user_id, sequence, occurred_at, agent_id, action, evidence, summary, outcome, prev_hash, hash)
          values (${randomUUID()}, ${user}, ${sequence}, now(), 'forger', 'document.share', '{}', 'forged', 'done', ${prevHash}, ${"f".repeat(64)})`;
    await expect(insert(3, "0".repeat(64))).rejects.toThrow(/does not follow its chain's head/);
    await expect(insert(5, second!.hash)).rejects.toThrow(/does not follow its chain's head/);
    await expect(insert(2, second!.prevHash)).rejects.toThrow(/duplicate key/);
    expect((await listAuditEvents(user)).map((e) => e.sequence)).toEqual([1, 2]);
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("guards the chain whatever the writer's search_path, as under pg_restore's empty one", async () => {
    const user = newUser();
    const [, second] = await writeChain(user, 2);
    const withoutSearchPath = (statement: (tx: postgres.TransactionSql) => Promise<unknown>) =>
      sql.begin(async (tx) => {
        await tx`set local search_path = ''`;
        await statement(tx);
      });
    await expect(
      withoutSearchPath(
        (tx) => tx`insert into public.audit_events (id, user_id, sequence, occurred_at, agent_id, action, evidence, summary, outcome, prev_hash, hash)
          values (${randomUUID()}, ${user}, 5, now(), 'forger', 'document.share', '{}', 'forged', 'done', ${second!.hash}, ${"f".repeat(64)})`,
      ),
    ).rejects.toThrow(/does not follow its chain's head/);
    await expect(withoutSearchPath((tx) => tx`delete from public.audit_events where user_id = ${user}`)).rejects.toThrow(/append-only/);
    await expect(withoutSearchPath((tx) => tx`update public.audit_chains set head_sequence = 1 where user_id = ${user}`)).rejects.toThrow(/only moves forward/);
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("refuses UPDATE, DELETE and TRUNCATE, and chain records that move backwards", async () => {
    const user = newUser();
    const [first] = await writeChain(user, 2);
    await expect(sql`update audit_events set summary = 'nothing happened' where id = ${first!.id}`).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_events where id = ${first!.id}`).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events`).rejects.toThrow(/append-only/);
    await expect(sql`update audit_chains set head_sequence = 1 where user_id = ${user}`).rejects.toThrow(/only moves forward/);
    await expect(sql`update audit_chains set anchor_sequence = 2, anchor_hash = 'forged' where user_id = ${user}`).rejects.toThrow(/anchor must be/);
    await expect(sql`delete from audit_chains where user_id = ${user}`).rejects.toThrow(/never deleted/);
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("finds an event altered directly in the database", async () => {
    const user = newUser();
    const events = await writeChain(user, 4);
    await tamper(sql, (tx) => tx`update audit_events set outcome = 'denied' where id = ${events[2]!.id}`);
    const found = await verifyUserChain(sql, user);
    expect(found).toMatchObject({ userId: user, eventId: events[2]!.id });
    expect(found!.problem).toMatch(/altered/);
  });

  it("finds a deleted event", async () => {
    const user = newUser();
    const events = await writeChain(user, 4);
    await tamper(sql, (tx) => tx`delete from audit_events where id = ${events[1]!.id}`);
    const found = await verifyUserChain(sql, user);
    expect(found).toMatchObject({ userId: user, eventId: events[2]!.id });
    expect(found!.problem).toMatch(/event 2 is missing/);
  });

  it("finds events deleted from the end of the chain", async () => {
    const user = newUser();
    const events = await writeChain(user, 3);
    await tamper(sql, (tx) => tx`delete from audit_events where id = ${events[2]!.id}`);
    expect((await verifyUserChain(sql, user))!.problem).toMatch(/removed from the end/);
  });

  it("finds reordered events", async () => {
    const user = newUser();
    const events = await writeChain(user, 4);
    await tamper(sql, async (tx) => {
      await tx`update audit_events set sequence = -1 where id = ${events[1]!.id}`;
      await tx`update audit_events set sequence = 2 where id = ${events[2]!.id}`;
      await tx`update audit_events set sequence = 3 where id = ${events[1]!.id}`;
    });
    const found = await verifyUserChain(sql, user);
    expect(found).toMatchObject({ userId: user, eventId: events[2]!.id });
    expect(found!.problem).toMatch(/reordered/);
  });

  it("prunes expired events and the kept chain still verifies from its anchor", async () => {
    const user = newUser();
    const day = 24 * 60 * 60 * 1000;
    for (const age of [400, 300, 10, 1]) await appendAuditEvent(event(user, { occurredAt: new Date(Date.now() - age * day) }));
    const before = await listAuditEvents(user);
    expect(await pruneAuditEvents(user, new Date(Date.now() - 365 * day))).toBe(1);
    // The next write prunes by itself.
    await appendAuditEvent(event(user), { pruneBefore: new Date(Date.now() - 30 * day) });
    const kept = await listAuditEvents(user);
    expect(kept.map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect(kept[0]!.prevHash).toBe(before[1]!.hash);
    const [chain] = await sql`select anchor_sequence, anchor_hash from audit_chains where user_id = ${user}`;
    expect(chain).toEqual({ anchor_sequence: 3, anchor_hash: before[1]!.hash });
    expect(await verifyUserChain(sql, user)).toBeNull();
    // Pruning everything leaves an empty chain that verifies, and the next event links to the last pruned one.
    await pruneAuditEvents(user, new Date(Date.now() + day));
    expect(await verifyUserChain(sql, user)).toBeNull();
    await appendAuditEvent(event(user));
    expect(await verifyUserChain(sql, user)).toBeNull();
  });

  it("npm run audit:verify reports the first break of each chain with exit 1, and exit 0 when all verify", async () => {
    const lines: string[] = [];
    // Earlier tests left broken chains in this database: a fresh one shows the intact case.
    const fresh = await startSandboxPostgres({ port: 0 });
    try {
      await runMigrations(fresh.url);
      process.env.DATABASE_URL = fresh.url;
      const user = newUser();
      const events = await writeChain(user, 3);
      const intact = await auditVerify({ DATABASE_URL: fresh.url }, (line) => lines.push(line));
      expect(lines).toEqual(["All 1 audit chains verify."]);
      expect(intact).toBe(0);
      const freshSql = postgres(fresh.url, { max: 1, onnotice: () => {} });
      await tamper(freshSql, (tx) => tx`update audit_events set evidence = '{"fga":{"allowed":true}}' where id = ${events[0]!.id}`);
      await freshSql.end();
      lines.length = 0;
      expect(await auditVerify({ DATABASE_URL: fresh.url }, (line) => lines.push(line))).toBe(1);
      expect(lines[0]).toContain(`BROKEN user ${user} at event ${events[0]!.id}: stored hash`);
      expect(await auditVerify({}, () => {})).toBe(2);
    } finally {
      process.env.DATABASE_URL = database.url();
      await fresh.close();
    }
  });
});

describe("npm run audit:prune (PGlite)", () => {
  const database = setUpMigratedDatabase();

  it("prunes every chain past the retention, those of users who stopped writing too, and every chain still verifies", async () => {
    const users = await writeAgedChains();
    const lines: string[] = [];
    expect(await auditPrune({ DATABASE_URL: database.url(), AUDIT_RETENTION_DAYS: "30" }, (line) => lines.push(line))).toBe(0);
    expectPrunedAgedChains(lines);
    expect((await listAuditEvents(users.inactive)).map((e) => e.sequence)).toEqual([]);
    expect((await listAuditEvents(users.active)).map((e) => e.sequence)).toEqual([3, 4]);
    expect((await listAuditEvents(users.recent)).map((e) => e.sequence)).toEqual([1, 2]);
    const verified: string[] = [];
    expect(await auditVerify({ DATABASE_URL: database.url() }, (line) => verified.push(line))).toBe(0);
    expect(verified).toEqual(["All 3 audit chains verify."]);

    // Nothing more is due; the inactive user's next event links to the last one pruned.
    lines.length = 0;
    expect(await auditPrune({ DATABASE_URL: database.url(), AUDIT_RETENTION_DAYS: "30" }, (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/^Removed 0 audit events older than 30 days .* from 0 chains\.$/)]);
    await appendAuditEvent(event(users.inactive));
    expect(await auditVerify({ DATABASE_URL: database.url() }, () => {})).toBe(0);
  });

  it("runs as npm run audit:prune, and fails with exit 1 and a reason when it cannot run", async () => {
    const users = await writeAgedChains();
    const run = await runNpmScript("audit:prune", [], { DATABASE_URL: database.url(), AUDIT_RETENTION_DAYS: "30" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Removed 5 audit events older than 30 days/m);
    expect((await listAuditEvents(users.active)).map((e) => e.sequence)).toEqual([3, 4]);

    const failures: [Record<string, string>, RegExp][] = [
      [{}, /DATABASE_URL is not set/],
      [{ DATABASE_URL: database.url(), AUDIT_RETENTION_DAYS: "0" }, /AUDIT_RETENTION_DAYS must be a whole number of days, at least 1/],
      [{ DATABASE_URL: "postgres://postgres:postgres@127.0.0.1:9/delegate" }, /^Could not prune the audit trail/],
    ];
    for (const [env, reason] of failures) {
      const lines: string[] = [];
      expect(await auditPrune(env, (line) => lines.push(line)), JSON.stringify(env)).toBe(1);
      expect(lines.join("\n")).toMatch(reason);
    }
  });
});

/**
 * The same chain on a real PostgreSQL (`scripts/pooler-postgres.sh start`, TEST_DIRECT_DATABASE_URL), where writers
 * on separate connections really run at once. Each run creates its own database.
 */
const directUrl = process.env.TEST_DIRECT_DATABASE_URL;
const poolerUrl = process.env.TEST_POOLER_DATABASE_URL;
describe.skipIf(!directUrl)("the audit chain on a real PostgreSQL", () => {
  const database = `delegate_audit_${randomUUID().replaceAll("-", "")}`;
  let admin: postgres.Sql;
  let databaseUrl: string;

  beforeAll(async () => {
    admin = postgres(directUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${database}`);
    const url = new URL(directUrl!);
    url.pathname = `/${database}`;
    databaseUrl = url.href;
    await runMigrations(databaseUrl);
  });
  afterAll(async () => {
    await admin?.unsafe(`drop database if exists ${database} with (force)`);
    await admin?.end();
  });

  it("concurrent writers on several connections never fork a user's chain", async () => {
    process.env.DATABASE_URL = databaseUrl;
    const users = [newUser(), newUser()];
    // The first wave races to create the chains, the second to extend them.
    for (let wave = 0; wave < 2; wave++)
      await Promise.all(Array.from({ length: 40 }, (_, i) => appendAuditEvent(event(users[i % 2]!, { summary: `concurrent ${wave}.${i}` }))));
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      expect(await verifyAllChains(sql)).toEqual({ users: 2, breaks: [] });
      for (const user of users) expect((await listAuditEvents(user)).map((e) => e.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await sql.end();
    }
  });

  it.skipIf(!poolerUrl)("npm run audit:verify reads the chains through a transaction pooler", async () => {
    const url = new URL(poolerUrl!);
    url.pathname = `/${database}`;
    const lines: string[] = [];
    expect(await auditVerify({ DATABASE_URL: url.href, DATABASE_PREPARED_STATEMENTS: "false" }, (line) => lines.push(line))).toBe(0);
    expect(lines).toEqual(["All 2 audit chains verify."]);
  });

  it("npm run audit:prune prunes every chain past the retention, through the pooler when there is one, and all still verify", async () => {
    process.env.DATABASE_URL = databaseUrl;
    const users = await writeAgedChains();
    const url = new URL(poolerUrl ?? databaseUrl);
    url.pathname = `/${database}`;
    const env = { DATABASE_URL: url.href, AUDIT_RETENTION_DAYS: "30", ...(poolerUrl ? { DATABASE_PREPARED_STATEMENTS: "false" } : {}) };
    const lines: string[] = [];
    expect(await auditPrune(env, (line) => lines.push(line))).toBe(0);
    expectPrunedAgedChains(lines);
    expect((await listAuditEvents(users.active)).map((e) => e.sequence)).toEqual([3, 4]);
    const verified: string[] = [];
    expect(await auditVerify({ DATABASE_URL: databaseUrl }, (line) => verified.push(line))).toBe(0);
    expect(verified).toEqual(["All 5 audit chains verify."]);
  });

  it("an event appended in one statement waits for a writer holding the chain's lock, then follows its event", async () => {
    process.env.DATABASE_URL = databaseUrl;
    const user = newUser();
    await appendAuditEvent(event(user));
    const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    try {
      let appended: Promise<unknown> | undefined;
      // What appendLocked does, by hand: the chain row locked, then the next event inserted under the lock.
      await sql.begin(async (tx) => {
        const [head] = await tx<{ head_sequence: number; head_hash: string }[]>`
          select head_sequence, head_hash from audit_chains where user_id = ${user} for update`;
        appended = appendAuditEvent(event(user, { summary: "waited" }));
        // Until the one-statement writer waits on a lock (the row's, with the fix; before it, the trigger's).
        await expect.poll(async () => (await sql`select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`).length).toBe(1);
        const next = { ...event(user, { summary: "locked" }), sequence: head!.head_sequence + 1, prevHash: head!.head_hash };
        await tx`insert into audit_events (id, user_id, sequence, occurred_at, agent_id, action, evidence, input_digest, summary, outcome, prev_hash, hash)
          values (${next.id}, ${user}, ${next.sequence}, ${next.occurredAt.toISOString()}, ${next.agentId}, ${next.action}, ${tx.json(next.evidence as postgres.JSONValue)},
            ${next.inputDigest}, ${next.summary}, ${next.outcome}, ${next.prevHash}, ${eventHash(next)})`;
      });
      await appended;
      expect((await listAuditEvents(user)).map((e) => [e.sequence, e.summary])).toEqual([
        [1, expect.any(String)],
        [2, "locked"],
        [3, "waited"],
      ]);
      expect(await verifyUserChain(sql, user)).toBeNull();
    } finally {
      await sql.end();
    }
  });

  it("writes an event after a restart ended the pool's connections, once", async () => {
    process.env.DATABASE_URL = databaseUrl;
    const user = newUser();
    // Several connections open, as a busy instance has, then ended by the server as a restart or failover does. A
    // restart ends them all before it takes new ones, so this waits for each backend to exit (up to 10 s): without the
    // wait, a backend still queued for the CPU on a busy machine could take both attempts' queries and end them later.
    await Promise.all(Array.from({ length: 5 }, (_, i) => appendAuditEvent(event(user, { summary: `before ${i}` }))));
    const ended = await admin<{ terminated: boolean }[]>`
      select pg_terminate_backend(pid, 10000) as terminated from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
    expect(ended.every((backend) => backend.terminated)).toBe(true);
    expect(ended.length).toBeGreaterThan(0);
    await appendAuditEvent(event(user, { summary: "after" }));
    expect((await listAuditEvents(user)).map((e) => e.summary).slice(-1)).toEqual(["after"]);
    expect(await listAuditEvents(user)).toHaveLength(6);
  });
});
