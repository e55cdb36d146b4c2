import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "./migrate";
import { createChat, getMessages, listChats, saveMessage } from "./queries/chats";
import { indexChunks, insertDocumentWithChunks, nearestChunksOverall, nearestListedChunks } from "./queries/documents";
import { buildAudienceGraph, decideListingAudiences, storeAudience } from "./queries/audiences";
import { readPermissionRevision } from "./queries/permission-revision";
import { storeListing } from "./queries/viewable-listings";
import { EMBEDDING_DIMENSIONS } from "./schema";

/**
 * A real PostgreSQL with pgvector behind PgBouncer in transaction mode, as Supabase's and Neon's pooled URLs are.
 * Start one with `scripts/pooler-postgres.sh start` and set TEST_POOLER_DATABASE_URL (and TEST_DIRECT_DATABASE_URL)
 * to the URLs it prints; without TEST_POOLER_DATABASE_URL these tests are skipped. Each run works in a database of
 * its own, created and dropped through the pooler.
 */
const poolerUrl = process.env.TEST_POOLER_DATABASE_URL;
/** The same server without the pooler, as DATABASE_MIGRATION_URL would name it; optional. */
const directUrl = process.env.TEST_DIRECT_DATABASE_URL;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}

describe.skipIf(!poolerUrl)("Postgres through PgBouncer in transaction mode", () => {
  const database = `delegate_pooler_${randomUUID().replaceAll("-", "")}`;
  let admin: postgres.Sql;
  let databaseUrl: string;

  beforeAll(async () => {
    admin = postgres(poolerUrl!, { max: 1, prepare: false, onnotice: () => {} });
    await admin.unsafe(`create database ${database}`);
    databaseUrl = withDatabase(poolerUrl!, database);
  });
  afterAll(async () => {
    await admin?.unsafe(`drop database if exists ${database} with (force)`);
    await admin?.end();
  });

  it("applies the migrations exactly once when several instances start together", async () => {
    // Some instances may migrate through a direct URL (DATABASE_MIGRATION_URL) while others use the pooler.
    const urls = [databaseUrl, databaseUrl, databaseUrl, directUrl ? withDatabase(directUrl, database) : databaseUrl];
    await Promise.all(urls.map((url) => runMigrations(url)));
    await runMigrations(databaseUrl);
    const sql = postgres(databaseUrl, { max: 1, prepare: false });
    try {
      const [recorded] = await sql<{ total: number; distinct: number }[]>`
        select count(*)::int as total, count(distinct hash)::int as distinct from drizzle.__drizzle_migrations`;
      const { readMigrationFiles } = await import("drizzle-orm/migrator");
      const files = readMigrationFiles({ migrationsFolder: "db/migrations" }).length;
      expect(recorded).toEqual({ total: files, distinct: files });
      const [vector] = await sql<{ version: string }[]>`select extversion as version from pg_extension where extname = 'vector'`;
      expect(Number(vector?.version.split(".").slice(0, 2).join("."))).toBeGreaterThanOrEqual(0.8);
    } finally {
      await sql.end();
    }
  });

  it("runs the app's queries with DATABASE_PREPARED_STATEMENTS=false", async () => {
    Object.assign(process.env, { DATABASE_URL: databaseUrl, DATABASE_PREPARED_STATEMENTS: "false" });
    const userId = "auth0|pooler (ü) alice@example.com";
    const chatIds = Array.from({ length: 6 }, () => randomUUID());
    await Promise.all(chatIds.map((id, i) => createChat({ id, userId, title: `Chat ${i}: 4.7 million — “quoted”` })));
    // Many short transactions from a pool of 5 onto 3 server connections: each lands wherever the pooler puts it.
    await Promise.all(
      chatIds.flatMap((chatId) =>
        Array.from({ length: 5 }, (_, n) =>
          saveMessage({ chatId, message: { id: `m${n}`, role: "user", parts: [{ type: "text", text: `Message ${n} for ${chatId}` }] } }),
        ),
      ),
    );
    for (const chatId of chatIds) {
      const stored = await getMessages({ chatId });
      expect(stored.map((m) => m.id).sort()).toEqual(["m0", "m1", "m2", "m3", "m4"]);
      expect(stored[0]?.parts).toEqual([{ type: "text", text: `Message ${stored[0]?.id.slice(1)} for ${chatId}` }]);
    }
    expect((await listChats({ userId })).map((c) => c.id).sort()).toEqual([...chatIds].sort());
  });

  it("searches document chunks with transaction-local pgvector settings (hnsw.iterative_scan needs pgvector 0.8)", async () => {
    Object.assign(process.env, { DATABASE_URL: databaseUrl, DATABASE_PREPARED_STATEMENTS: "false" });
    const axis = (i: number) => Array.from({ length: EMBEDDING_DIMENSIONS }, (_, j) => (j === i ? 1 : 0));
    const id = randomUUID();
    const text = "Vacation: 25 days a year.\nSick leave: as needed.";
    await insertDocumentWithChunks(
      { id, ownerId: "auth0|pooler", name: "Team handbook.md", mimeType: "text/markdown", sizeBytes: text.length, content: Buffer.from(text) },
      [
        { content: "Vacation: 25 days a year.", start: 0, end: 25, embedding: axis(0) },
        { content: "Sick leave: as needed.", start: 26, end: 48, embedding: axis(1) },
      ],
      { quotaBytes: 1_000_000 },
    );
    const [best] = await Promise.all(Array.from({ length: 4 }, () => nearestChunksOverall(axis(0), 1, 0)));
    expect(best?.[0]).toMatchObject({ documentId: id, documentName: "Team handbook.md", content: "Vacation: 25 days a year." });
  });

  it("builds an audience's graph concurrently through the pooler, and scans a listing there with its other documents beside it", async () => {
    Object.assign(process.env, { DATABASE_URL: databaseUrl, DATABASE_PREPARED_STATEMENTS: "false" });
    const axis = (i: number) => Array.from({ length: EMBEDDING_DIMENSIONS }, (_, j) => (j === i ? 1 : j === 1000 + i ? 0.5 : 0));
    const store = async (name: string, axes: number[]) => {
      const id = randomUUID();
      await insertDocumentWithChunks(
        { id, ownerId: "auth0|pooler", name, mimeType: "text/markdown", sizeBytes: 10, content: Buffer.from("x".repeat(10)) },
        axes.map((i, n) => ({ content: `${name} ${n + 1}`, start: n, end: n + 1, embedding: axis(i) })),
        { quotaBytes: 1_000_000 },
      );
      return id;
    };
    const shared = [await store("Runbook (ops)", [10, 11, 12]), await store("Postmortem — «db»", [13, 14, 15])];
    const own = await store("My notes", [20]);
    while ((await indexChunks(100)) > 0);
    const audience = await storeAudience("group:ops#member", shared);
    await buildAudienceGraph(audience);
    const admin = postgres(databaseUrl, { max: 1, prepare: false });
    try {
      const [index] = await admin<{ valid: boolean }[]>`select indisvalid as valid from pg_index where indexrelid = to_regclass(${`audience_chunk_signs_${audience}_idx`})`;
      expect(index).toEqual({ valid: true });
    } finally {
      await admin.end();
    }
    const listing = await storeListing("auth0|pooler", { revision: await readPermissionRevision(), listedAt: new Date(), documentIds: [...shared, own] });
    expect(await decideListingAudiences(listing, [audience], 3)).toEqual([audience]);
    const nearest = await nearestListedChunks({ listingId: listing }, axis(20), 3, 2);
    expect(nearest.map((chunk) => chunk.content)).toEqual(["My notes 1", expect.stringMatching(/^(Runbook \(ops\)|Postmortem — «db») \d$/), expect.any(String)]);
    expect((await nearestListedChunks({ listingId: listing }, axis(14), 1, 2)).map((chunk) => chunk.content)).toEqual(["Postmortem — «db» 2"]);
  });

  it.skipIf(!directUrl)("walks the index past ef_search with the settings of its own message, which end with it", async () => {
    // Enough chunks that ranks 51–55 lie past pgvector's default ef_search (40), where an index scan without
    // iterative scans stops; sequential scans off in this database, so the index serves even this small table.
    // Direct connections, opened after that, so they all have it (the pooler's server connections may predate it).
    await admin.unsafe(`alter database ${database} set enable_seqscan = off`);
    const direct = withDatabase(directUrl!, database);
    Object.assign(process.env, { DATABASE_URL: direct, DATABASE_PREPARED_STATEMENTS: "true" });
    const near = (i: number) => Array.from({ length: EMBEDDING_DIMENSIONS }, (_, j) => (j === 2 ? 1 : j === 3 ? i / 100 : 0));
    const id = randomUUID();
    await insertDocumentWithChunks(
      { id, ownerId: "auth0|pooler", name: "Ranks (1–60).md", mimeType: "text/markdown", sizeBytes: 60, content: Buffer.from("x".repeat(60)) },
      Array.from({ length: 60 }, (_, i) => ({ content: `Rank ${i + 1}`, start: i, end: i + 1, embedding: near(i) })),
      { quotaBytes: 1_000_000 },
    );
    // Stored outside the index, as uploads are; the background pass adds them, as here, and only then does it rank them.
    while ((await indexChunks(100)) > 0);
    const sql = postgres(direct, { max: 1, onnotice: () => {} });
    try {
      const defaults = await sql<{ n: number }[]>`
        select count(*)::int as n from (select id from document_chunks where indexed order by embedding <=> ${`[${near(0).join(",")}]`}::vector limit 5 offset 50) t`;
      expect(defaults[0]?.n).toBe(0);
    } finally {
      await sql.end();
    }
    const window = await nearestChunksOverall(near(0), 5, 50);
    expect(window.map((chunk) => chunk.content)).toEqual(["Rank 51", "Rank 52", "Rank 53", "Rank 54", "Rank 55"]);
    // Every connection of the app's pool is back on the defaults (null: pgvector not yet loaded on that connection).
    const { getDb } = await import("./client");
    const settings = await Promise.all(
      Array.from({ length: 8 }, () => getDb().$client<{ scan: string | null; ef: string | null }[]>`select current_setting('hnsw.iterative_scan', true) as scan, current_setting('hnsw.ef_search', true) as ef`),
    );
    for (const [setting] of settings) expect([{ scan: "off", ef: "40" }, { scan: null, ef: null }]).toContainEqual(setting);
    expect(settings.some(([setting]) => setting?.scan === "off")).toBe(true);
  });

  it.skipIf(!directUrl)("scans the signs' index for a listing's chunks alone, reading past the others, and ranks them by their full embeddings", async () => {
    // A database of its own, whose only chunks are these, with sequential scans off so that the index serves even
    // these few rows. The question is all ones. By their signs, the nearest are the 60 chunks of a document not listed
    // (1 to 60 signs flipped) and 10 listed decoys (one sign flipped, but one large component each: far from the
    // question), so a scan that stopped at ef_search (40) would find no other listed chunk; then the listed chunks
    // (100 + i signs flipped, by a hundredth: near the question). Only the ranking by full embeddings puts them first.
    const listedDatabase = `${database}_listed`;
    await admin.unsafe(`create database ${listedDatabase}`);
    try {
      const url = withDatabase(directUrl!, listedDatabase);
      await runMigrations(url);
      await admin.unsafe(`alter database ${listedDatabase} set enable_seqscan = off`);
      Object.assign(process.env, { DATABASE_URL: url, DATABASE_PREPARED_STATEMENTS: "true" });
      const question = Array.from({ length: EMBEDDING_DIMENSIONS }, () => 1);
      const store = async (name: string, embeddings: number[][]) => {
        const id = randomUUID();
        await insertDocumentWithChunks(
          { id, ownerId: "auth0|pooler", name, mimeType: "text/markdown", sizeBytes: 60, content: Buffer.from("x".repeat(60)) },
          embeddings.map((embedding, i) => ({ content: `${name} ${i + 1}`, start: i, end: i + 1, embedding })),
          { quotaBytes: 1_000_000 },
        );
        return id;
      };
      const flipped = (count: number, by: number) => question.map((one, j) => (j < count ? -by : one));
      await store("Other", Array.from({ length: 60 }, (_, i) => flipped(i + 1, 1)));
      const decoys = await store("Decoy", Array.from({ length: 10 }, (_, i) => question.map((_, j) => (j === i ? 50 + i : j === EMBEDDING_DIMENSIONS - 1 - i ? -0.001 : 0.001))));
      const listed = await store("Listed", Array.from({ length: 60 }, (_, i) => flipped(100 + i, 0.01)));
      while ((await indexChunks(100)) > 0);
      const listing = await storeListing("auth0|pooler", { revision: await readPermissionRevision(), listedAt: new Date(), documentIds: [decoys, listed] });
      const scans = async () => {
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        try {
          const [row] = await sql<{ scans: number }[]>`select idx_scan::int as scans from pg_stat_user_indexes where indexrelname = 'chunk_signs_signs_idx'`;
          return row!.scans;
        } finally {
          await sql.end();
        }
      };
      const nearest = await nearestListedChunks({ listingId: listing }, question, 5, 2_000);
      expect(nearest.map((chunk) => chunk.content)).toEqual(["Listed 1", "Listed 2", "Listed 3", "Listed 4", "Listed 5"]);
      // The scan counted: statistics reach other sessions once the app's connection has been idle a while.
      await expect.poll(scans, { timeout: 20_000, interval: 500 }).toBeGreaterThan(0);
      // A scan that gives up before it has its candidates returns none, for the caller to rank exactly: here it may read
      // no further than the chunks of the document not listed. Asked for 2, so 16 candidates, which the scan keeps 40
      // in view for at first: fewer than the 70 decoys and others nearer by their signs. (Prepared statements off: a
      // new pool, whose connections have the setting.)
      await admin.unsafe(`alter database ${listedDatabase} set hnsw.max_scan_tuples = 50`);
      Object.assign(process.env, { DATABASE_PREPARED_STATEMENTS: "false" });
      const stopped = await nearestListedChunks({ listingId: listing }, question, 2, 2_000);
      expect(stopped).toEqual([]);
      // A listing with fewer chunks in the index than that: all of them are candidates, and ranked.
      const few = await storeListing("auth0|pooler", { revision: await readPermissionRevision(), listedAt: new Date(), documentIds: [decoys] });
      expect((await nearestListedChunks({ listingId: few }, question, 5, 2_000)).map((chunk) => chunk.content)).toEqual(["Decoy 1", "Decoy 2", "Decoy 3", "Decoy 4", "Decoy 5"]);
    } finally {
      await admin.unsafe(`drop database if exists ${listedDatabase} with (force)`);
    }
  }, 60_000);

  it("accepts a Prisma-style pooled URL with pgbouncer=true, which PgBouncer itself refuses as a startup parameter", async () => {
    const flagged = `${databaseUrl}?pgbouncer=true`;
    const raw = postgres(flagged, { max: 1, onnotice: () => {} });
    await expect(raw`select 1`).rejects.toThrow(/unsupported startup parameter/);
    await raw.end();

    Object.assign(process.env, { DATABASE_URL: flagged, DATABASE_PREPARED_STATEMENTS: "true" });
    const chatId = randomUUID();
    await createChat({ id: chatId, userId: "auth0|flagged", title: "Pooled" });
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => saveMessage({ chatId, message: { id: `m${n}`, role: "assistant", parts: [{ type: "text", text: "ok" }] } })),
    );
    expect(await getMessages({ chatId })).toHaveLength(10);
  });

  it("stalls or fails with prepared statements on, which is why a pooled URL needs them off", async () => {
    // PgBouncer before 1.21 (Debian bookworm ships 1.18) and Supabase's transaction pooler do not carry prepared
    // statements between server connections: postgres.js gets errors, misreads answers meant for another statement
    // ("The value of \"offset\" is out of range") or waits for answers that never come.
    async function manyClients(prepare: boolean) {
      // No array-type lookup: postgres.js runs it on its own, and ending a stalled client would leave it rejecting unheard.
      const clients = Array.from({ length: 4 }, () => postgres(databaseUrl, { max: 3, prepare, fetch_types: false, onnotice: () => {} }));
      const queries = clients.flatMap((sql, c) =>
        Array.from({ length: 30 }, (_, i) => (i % 2 ? sql`select ${i}::int + ${c}::int as sum` : sql`select ${String(i)}::text as text, ${c}::int as c`)),
      );
      const stalled = new Promise<string>((resolve) => setTimeout(() => resolve("stalled"), 5_000));
      const outcome = await Promise.race([Promise.all(queries).then(() => "answered", (error: Error) => `failed: ${error.message}`), stalled]);
      await Promise.all(clients.map((sql) => sql.end({ timeout: 0 })));
      return outcome;
    }
    expect(await manyClients(false)).toBe("answered");
    // Which server connection each statement lands on is down to timing, so one round can be lucky on a loaded
    // machine; five lucky rounds in a row do not happen (in practice the first one already fails).
    let prepared = "answered";
    for (let round = 0; round < 5 && prepared === "answered"; round++) prepared = await manyClients(true);
    expect(prepared).not.toBe("answered");
  }, 60_000);
});
