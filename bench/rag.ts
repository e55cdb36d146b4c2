import { OpenFgaClient } from "@openfga/sdk";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import postgres from "postgres";
import { runMigrations } from "../db/migrate";
import { ensureModel, ensureStore } from "../lib/fga/setup";
import { startFgaServer } from "../sandbox/fga/server";
import { startSandboxPostgres } from "../sandbox/postgres/server";
import { createDatabase, dropDatabase } from "../scripts/fresh-database";
import { cosineDistance, SyntheticEmbeddings, vectorText, type Embedding } from "../tests/synthetic-embeddings";
import { binaryCopy, field } from "./binary-copy";
import { median, percentile } from "./util";

/**
 * `npm run bench:rag`: permission-aware retrieval on a generated corpus, against an unfiltered HNSW top-k (the
 * same index, k and data) measured in the same run, and against an exact brute-force ranking for recall.
 * BENCH_SCALE=1 (the default) is the full corpus: 200 users, 20,000 documents, 100,000 chunks. With DATABASE_URL
 * it runs on that PostgreSQL server (with pgvector), in a database of its own that it drops at the end (kept with
 * BENCH_KEEP_DATABASE=1, to look at), otherwise on the sandbox's PGlite. FGA is the sandbox FGA service, storing its tuples in the same database.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const USERS = 200;
const DOCUMENTS = Math.round(20_000 * SCALE);
const CHUNKS_PER_DOCUMENT = 5;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const WARMUP_QUERIES = 20;
const K = 5;

const serverUrl = process.env.DATABASE_URL;
const sandboxPg = serverUrl ? undefined : await startSandboxPostgres({ port: 0 });
const benchDatabase = `bench_rag_${Date.now()}`;
const databaseUrl = serverUrl ? await createDatabase(serverUrl, benchDatabase) : sandboxPg!.url;
const fgaServer = await startFgaServer({ port: 0, databaseUrl, log: () => {} });
await runMigrations(databaseUrl);
const { storeId } = await ensureStore(fgaServer.url, "bench-rag");
const fga = new OpenFgaClient({ apiUrl: fgaServer.url, storeId });
const { modelId } = await ensureModel(fga);
Object.assign(process.env, {
  DATABASE_URL: databaseUrl,
  FGA_API_URL: fgaServer.url,
  FGA_STORE_ID: storeId,
  // Pinned, as README advises for a deployment.
  FGA_MODEL_ID: modelId,
  AUTH0_DOMAIN: "http://localhost:1",
  AUTH0_CLIENT_ID: "bench",
  AUTH0_CLIENT_SECRET: "bench",
  AUTH0_SECRET: "9d2f6b1e8c4a7035e1b9f2d6c8a40e57b3c9d1f0a6e2847b5c3d9e1f07a2b6c4",
  APP_BASE_URL: "http://localhost:3000",
  OPENAI_API_KEY: "unused",
});
const { EXACT_LIMIT, listAhead, retrieveChunks } = await import("../lib/rag/retrieve");
const { forgetListing } = await import("../lib/rag/viewable-listings");
const { audienceWorkDone } = await import("../lib/rag/audiences");
const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
const where = serverUrl ? `PostgreSQL ${(await sql`select current_setting('server_version') as v`)[0]!.v}` : "PGlite (the sandbox)";

// --- Corpus: every document owned by someone; 2% shared with a team of five; 15% with a company-wide group of
// three users (who read ~15% of everything and so take the index path); 0.1% public.
console.log(`Generating ${DOCUMENTS.toLocaleString("en-US")} documents × ${CHUNKS_PER_DOCUMENT} chunks for ${USERS} users (scale ${SCALE}), on ${where}…`);
const corpus = new SyntheticEmbeddings(42, 64);
const user = (i: number) => `bench|u${i}`;
const teams = Array.from({ length: 20 }, (_, t) => Array.from({ length: 5 }, (_, j) => user(t * 5 + j)));
const companyWide = [user(0), user(1), user(2)];
const visibleTo = new Map<string, Set<string>>(Array.from({ length: USERS }, (_, i) => [user(i), new Set<string>()]));
const tuples: { user: string; relation: string; object: string }[] = [];
for (const [t, members] of teams.entries()) for (const m of members) tuples.push({ user: `user:${m}`, relation: "member", object: `group:team${t}` });
for (const m of companyWide) tuples.push({ user: `user:${m}`, relation: "member", object: "group:company" });

const chunks: { id: string; documentId: string; vector: Embedding }[] = [];
const documents: { id: string; place: Float32Array }[] = [];
let started = performance.now();
for (let d = 0; d < DOCUMENTS; d++) {
  const id = crypto.randomUUID();
  const place = corpus.document();
  documents.push({ id, place });
  const owner = user(corpus.integer(USERS));
  tuples.push({ user: `user:${owner}`, relation: "owner", object: `doc:${id}` });
  const viewers = new Set([owner]);
  const roll = corpus.random();
  if (roll < 0.02) {
    const t = corpus.integer(teams.length);
    tuples.push({ user: `group:team${t}#member`, relation: "viewer", object: `doc:${id}` });
    for (const m of teams[t]!) viewers.add(m);
  } else if (roll < 0.17) {
    tuples.push({ user: "group:company#member", relation: "viewer", object: `doc:${id}` });
    for (const m of companyWide) viewers.add(m);
  } else if (roll < 0.171) {
    tuples.push({ user: "user:*", relation: "viewer", object: `doc:${id}` });
    for (const set of visibleTo.values()) set.add(id);
  }
  for (const v of viewers) visibleTo.get(v)!.add(id);
  for (let c = 0; c < CHUNKS_PER_DOCUMENT; c++) chunks.push({ id: crypto.randomUUID(), documentId: id, vector: corpus.chunk(place) });
}
console.log(`  generated in ${seconds(started)}`);

// --- Load as PostgreSQL's "Populating a Database" advises: the chunks' and their signs' indexes, primary keys and
// foreign keys dropped, the rows copied in, then each built once over all of them (foreign keys last). Their
// definitions are read back from the catalog, so what is rebuilt is what the migrations made.
started = performance.now();
const loadStarted = started;
for (let i = 0; i < tuples.length; i += 100) await fga.writeTuples(tuples.slice(i, i + 100));
const tuplesLoaded = seconds(started);
started = performance.now();
const deferred = await sql<{ drop: string; create: string }[]>`
  select drop, "create" from (
    select format('alter table %s drop constraint %I', conrelid::regclass, conname) as drop,
           format('alter table %s add constraint %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) as "create",
           contype = 'f' as last
      from pg_constraint where contype in ('p', 'f') and (conrelid in ('document_chunks'::regclass, 'chunk_signs'::regclass)
        or confrelid in ('document_chunks'::regclass, 'chunk_signs'::regclass))
    union all
    select format('drop index %s', indexrelid::regclass), pg_get_indexdef(indexrelid), false
      from pg_index i where indrelid in ('document_chunks'::regclass, 'chunk_signs'::regclass)
       and not exists (select from pg_constraint c where c.conrelid = i.indrelid and c.conindid = i.indexrelid)
  ) deferred order by last`;
// Foreign keys are dropped first, as the keys they name cannot go before them.
for (const { drop } of deferred.toReversed()) await sql.unsafe(drop);
for (let i = 0; i < documents.length; i += 1000) {
  await sql`insert into documents ${sql(documents.slice(i, i + 1000).map(({ id }) => ({ id, owner_id: "bench", name: `doc-${id.slice(0, 8)}`, mime_type: "text/plain", size_bytes: 1, content: Buffer.from("x") })))}`;
}
// COPY in binary, as a bulk load would: no decimals to print and parse (see binary-copy.ts). PGlite takes it through
// its own API (pglite-socket does not relay COPY FROM STDIN), and into a staging table: a table that COPY fills grows
// by several pages at a time, which PGlite's file system makes cost in proportion to the table's size (5,000 rows took
// 1 s into an empty document_chunks, 5 s into one of 10,000), while INSERT … SELECT grows it a page at a time.
const columns = "id, document_id, ordinal, content, start_offset, end_offset, embedding, indexed";
if (sandboxPg)
  await sandboxPg.db.exec(
    "create temp table chunk_load (like document_chunks including defaults); alter table chunk_load alter column embedding set storage external",
  );
const copyChunks = async (data: ReturnType<typeof binaryCopy>) => {
  if (!sandboxPg) return pipeline(Readable.from([data]), await sql.unsafe(`copy document_chunks (${columns}) from stdin with (format binary)`).writable());
  await sandboxPg.db.query(`copy chunk_load (${columns}) from '/dev/blob' with (format binary)`, [], { blob: new Blob([data]) });
  await sandboxPg.db.exec("insert into document_chunks select * from chunk_load; truncate chunk_load");
};
const COPY_ROWS = 5_000;
for (let i = 0; i < chunks.length; i += COPY_ROWS) {
  const rows = chunks.slice(i, i + COPY_ROWS).map((c, j) => {
    const ordinal = (i + j) % CHUNKS_PER_DOCUMENT;
    // Offsets as ingestion stores them: each chunk's span of its document's text.
    // In the indexes, so each row's signs are written beside it (migration 0019's trigger).
    return [field.uuid(c.id), field.uuid(c.documentId), field.int4(ordinal), field.text("chunk"), field.int4(ordinal * 5), field.int4(ordinal * 5 + 5), field.vector(c.vector), field.bool(true)];
  });
  await copyChunks(binaryCopy(rows));
}
const rowsLoaded = seconds(started);
started = performance.now();
const builds: string[] = [];
await sql.begin(async (tx) => {
  // The whole HNSW graph fits in memory, which makes its build several times faster than spilling to disk.
  await tx`set local maintenance_work_mem = '1GB'`;
  for (const { create } of deferred) {
    const began = performance.now();
    await tx.unsafe(create);
    builds.push(`${/(?:index|constraint) (\w+)/i.exec(create)?.[1]} ${seconds(began)}`);
  }
});
await sql`analyze`;
const indexBuilt = seconds(started);
console.log(
  `Loaded ${tuples.length.toLocaleString("en-US")} tuples (${tuplesLoaded}), ${DOCUMENTS.toLocaleString("en-US")} documents and ${chunks.length.toLocaleString("en-US")} chunks (${rowsLoaded}); the HNSW and document indexes, the primary and foreign keys built, and the tables analyzed, in ${indexBuilt}: ${seconds(loadStarted)} in all.`,
);
console.log(`  each built in: ${builds.join(", ")}`);

// --- Queries: questions about a random document, from a random user; every fourth from a company-wide user.
interface Sample {
  readable: number;
  ms: number;
  recall: number;
}
/**
 * How the search knew what the user may view: a listing it asked for, one reused as FGA's answer (the changelog read
 * since), one reused and its results checked, or a check of each window.
 */
type Knowing = "listed" | "trusted" | "reused" | "checked";
const ours: (Sample & { strategy: string; knowing: Knowing })[] = [];
const unfiltered: Sample[] = [];
const forced = { exact: [] as Sample[], index: [] as Sample[] };
/** pgvector's default ef_search (40), then wider ones, each sent with its query as one implicit transaction. */
const WIDER_SEARCHES = [40, 100, 200, 400, 800, 1_000];
const widerUnfiltered = new Map<number, Sample[]>(WIDER_SEARCHES.map((ef) => [ef, []]));
const chunkById = new Map(chunks.map((c) => [c.id, c]));
/**
 * A question, and what the user may read of the corpus: the truth to measure recall against. Only the k-th nearest
 * distances are kept, and a returned chunk's distance is computed when it is judged: a hundred questions' distances to
 * every chunk, kept in maps, came to millions of entries in the heap the measured searches then ran beside.
 */
function ask(who: string, query: Embedding) {
  const visible = visibleTo.get(who)!;
  const isReadable = (chunk: { documentId: string }) => visible.has(chunk.documentId);
  const distances = Float64Array.from(chunks, (c) => cosineDistance(c.vector, query));
  const readableDistances = distances.filter((_, i) => isReadable(chunks[i]!));
  return {
    who,
    embedding: Array.from(query),
    readable: readableDistances.length,
    recall: recallAgainst(query, readableDistances, isReadable),
    recallOfAll: recallAgainst(query, distances, () => true),
  };
}
/** Who asks the q-th question: every fourth a company-wide user, in turn, the others a random one. */
const asker = (q: number) => (q % 4 === 0 ? companyWide[(q / 4) % 3]! : user(corpus.integer(USERS)));
const nearSomeDocument = () => corpus.chunk(documents[corpus.integer(documents.length)]!.place);
const questions = Array.from({ length: QUERIES }, (_, q) => ask(asker(q), nearSomeDocument()));

// The retriever as users meet it, each question once, nothing else run in between that could change what it keeps.
// Each user opens the chat before their first question, which lists what they may read (app/(chat)/layout.tsx), as
// they type it; a person's later searches come minutes apart, within the quarter of an hour a listing is trusted for.
const opened = new Set<string>();
async function openChat(who: string) {
  if (opened.has(who)) return;
  opened.add(who);
  await listAhead(who);
  // And which audience graphs their searches scan is decided (lib/rag/audiences.ts), in the time it takes to type.
  // The first reader of an audience also waits for its graph to be built, once for the deployment, in the warm-up.
  const began = performance.now();
  await audienceWorkDone();
  audienceWork.push(performance.now() - began);
}
const audienceWork: number[] = [];
const unfilteredTopK = (embedding: number[]) => sql<{ id: string }[]>`select id from document_chunks where indexed order by embedding <=> ${vectorText(embedding)}::vector limit ${K}`;

// First, as a server that has been running a while: questions of the same mix, not measured, asked of both. Each
// connection's first search prepares its statements and loads what it needs from the catalog (20 ms for the first
// scan of a listing's chunks), and the first few questions read the indexes' upper layers, which every later search
// finds in memory; the index path's p95, of some fifty questions, would otherwise measure that.
for (let q = 0; q < WARMUP_QUERIES; q++) {
  const who = asker(q);
  const embedding = Array.from(nearSomeDocument());
  await openChat(who);
  await retrieveChunks({ userSub: who, embedding, k: K });
  await unfilteredTopK(embedding);
}

for (const [q, { who, embedding, readable, recall, recallOfAll }] of questions.entries()) {
  await openChat(who);
  const measureOurs = async () => {
    const started = performance.now();
    const result = await retrieveChunks({ userSub: who, embedding, k: K });
    // A reused listing was asked for earlier, and says when; one trusted says when the changelog was read.
    const listings = result.fgaQuestions.filter((question) => question.call === "list-objects");
    const knowing: Knowing = listings.some((listing) => listing.askedAt === undefined)
      ? "listed"
      : listings.some((listing) => listing.changesReadAt)
        ? "trusted"
        : listings.length > 0
          ? "reused"
          : "checked";
    ours.push({ readable, ms: performance.now() - started, recall: recall(result.chunks.map((c) => c.chunkId)), strategy: result.strategy, knowing });
  };
  // The baseline: the plain pgvector query, no authorization at all, the index's default settings. Every row was
  // loaded into the index, which covers the rows marked indexed (db/schema.ts), so the query says so to use it.
  const measureBaseline = async () => {
    const started = performance.now();
    const top = await unfilteredTopK(embedding);
    unfiltered.push({ readable: chunks.length, ms: performance.now() - started, recall: recallOfAll(top.map((row) => row.id)) });
  };
  // Whichever goes first reads the pages near this question into the cache for the other (the server's cache holds
  // a fraction of the corpus), so each goes first for half the questions, a company-wide user's included.
  for (const measure of Math.floor(q / 4) % 2 === 0 ? [measureOurs, measureBaseline] : [measureBaseline, measureOurs]) await measure();
}

// Then each question again: each path forced, and the unfiltered search searching wider.
for (const { who, embedding, readable, recall, recallOfAll } of questions) {
  for (const strategy of ["exact", "index"] as const) {
    // The walk forced as a user meets it with no listing to reuse: the one the exact path just asked for is dropped.
    if (strategy === "index") await forgetListing(who);
    started = performance.now();
    const run = await retrieveChunks({ userSub: who, embedding, k: K, forcePath: strategy });
    forced[strategy].push({ readable, ms: performance.now() - started, recall: recall(run.chunks.map((c) => c.chunkId)) });
  }
  // What the index itself charges for more recall.
  for (const ef of WIDER_SEARCHES) {
    started = performance.now();
    const [, rows] = await sql
      .unsafe<[unknown, { id: string }[]]>(`select set_config('hnsw.ef_search', '${ef}', true); select id from document_chunks where indexed order by embedding <=> '${vectorText(embedding)}'::vector limit ${K}`)
      .simple();
    widerUnfiltered.get(ef)!.push({ readable: chunks.length, ms: performance.now() - started, recall: recallOfAll(rows.map((row) => row.id)) });
  }
}

/**
 * The share of the true top k that `ids` holds, counting ties as equals: a returned chunk counts if it is one of
 * `counted` no farther than the k-th nearest of them. Fewer than k of them: all are the top.
 */
function recallAgainst(query: Embedding, distances: Float64Array, counted: (chunk: { documentId: string }) => boolean) {
  const kth = distances.sort()[Math.min(K, distances.length) - 1];
  const near = (id: string) => {
    const chunk = chunkById.get(id);
    return chunk !== undefined && counted(chunk) && cosineDistance(chunk.vector, query) <= kth! + 1e-6;
  };
  return (ids: string[]) => (kth === undefined ? (ids.length === 0 ? 1 : 0) : ids.filter(near).length / Math.min(K, distances.length));
}

function seconds(since: number) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
const p50 = (samples: Sample[]) => median(samples.map((s) => s.ms));
const p95 = (samples: Sample[]) => percentile(samples.map((s) => s.ms), 95);
const row = (label: string, samples: Sample[], baseline = unfiltered) =>
  `  ${label.padEnd(38)}${String(samples.length).padStart(4)}   ${mean(samples.map((s) => s.recall)).toFixed(3)}  ${ms(p50(samples))} ${ms(p95(samples))}   ${(p95(samples) / p95(baseline)).toFixed(2)}×`;

console.log(`\nRetrieval on ${where}, k = ${K}, ${QUERIES} questions`);
console.log(`                                       queries  recall       p50       p95   p95 / unfiltered`);
console.log(row("unfiltered HNSW top-k (baseline)", unfiltered));
for (const strategy of ["exact", "index"]) {
  const taken = ours.filter((s) => s.strategy === strategy);
  if (taken.length === 0) continue;
  const path = strategy === "exact" ? "exact ranking" : "index walk";
  console.log(row(`Delegate, ${path} path`, taken));
  const labels: Record<Knowing, string> = {
    listed: "listing asked of FGA",
    trusted: "listing reused as FGA's answer",
    reused: "listing reused, results checked",
    checked: "no listing, each window checked",
  };
  for (const [knowing, label] of Object.entries(labels)) {
    const some = taken.filter((s) => s.knowing === knowing);
    if (some.length > 0) console.log(row(`  ${label}`, some));
  }
}
console.log(row("Delegate, all questions", ours));
console.log(`  (audience work after a user's first listing: ${audienceWork.length} users, the longest ${Math.max(...audienceWork).toFixed(0)} ms, p50 ${median(audienceWork).toFixed(1)} ms)`);
console.log(`  (recall: of the exact authorized top k; latency: the whole retrieval, its FGA questions included: a listing, a changelog read, a reused listing's batch-check, or a window's)`);

// The second pass meets each question again, its pages in the cache: its figures compare with each other only.
const secondPass = widerUnfiltered.get(40)!;
console.log(`\nSecond pass, each question again: the unfiltered top-k searching wider (no authorization), what recall costs the index itself`);
console.log(`                                       queries  recall       p50       p95   p95 / ef_search 40`);
for (const [ef, samples] of widerUnfiltered) console.log(row(`unfiltered, hnsw.ef_search = ${ef}`, samples, secondPass));
const walks = forced.index.filter((s) => s.readable > EXACT_LIMIT);
if (walks.length > 0) console.log(row(`index walk forced, > ${EXACT_LIMIT.toLocaleString("en-US")} readable`, walks, secondPass));
// 0.99 as printed: a mean of 100 recalls that is 0.99 may come out a rounding error below it.
const equalRecall = [...widerUnfiltered].find(([, samples]) => mean(samples.map((s) => s.recall)) >= 0.99 - 1e-9);
if (!equalRecall) console.log(`  no ef_search up to ${WIDER_SEARCHES.at(-1)} gives the unfiltered top-k recall 0.99 on this index build`);
else if (walks.length > 0) console.log(`  that walk's p95 / the unfiltered p95 at recall ≥ 0.99 (ef_search ${equalRecall[0]}): ${(p95(walks) / p95(equalRecall[1])).toFixed(2)}×`);

console.log(`\nEach path forced, by how many chunks the user may read (the data behind EXACT_LIMIT):`);
console.log(`  readable chunks   queries   exact p50 (recall)      index walk p50 (recall)`);
const buckets = [0, 500, 1_000, 2_000, 5_000, 10_000, Infinity];
for (let b = 1; b < buckets.length; b++) {
  const inBucket = (s: Sample) => s.readable > buckets[b - 1]! && s.readable <= buckets[b]!;
  const exact = forced.exact.filter(inBucket);
  const index = forced.index.filter(inBucket);
  if (exact.length === 0) continue;
  const label = b === buckets.length - 1 ? `> ${buckets[b - 1]!.toLocaleString("en-US")}` : `≤ ${buckets[b]!.toLocaleString("en-US")}`;
  console.log(`  ${label.padEnd(16)}${String(exact.length).padStart(8)}  ${ms(p50(exact))} (${mean(exact.map((s) => s.recall)).toFixed(3)})      ${ms(p50(index))} (${mean(index.map((s) => s.recall)).toFixed(3)})`);
}

await sql.end();
await fgaServer.close();
await sandboxPg?.close();
if (serverUrl && !process.env.BENCH_KEEP_DATABASE) await dropDatabase(serverUrl, benchDatabase);
process.exit(0);
