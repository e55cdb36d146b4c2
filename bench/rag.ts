import { OpenFgaClient } from "@openfga/sdk";
import postgres from "postgres";
import { runMigrations } from "../db/migrate";
import { ensureModel, ensureStore } from "../lib/fga/setup";
import { startFgaServer } from "../sandbox/fga/server";
import { startSandboxPostgres } from "../sandbox/postgres/server";
import { median, percentile } from "./util";

/**
 * `npm run bench:rag`: permission-aware retrieval against "top 25, then batch-check" on the same generated corpus,
 * plus FGA check / batch-check / list-objects latency at 10,000 and 1,000,000 tuples. Everything runs on the
 * sandbox (PGlite + pgvector, the sandbox FGA service). BENCH_SCALE=1 is the full corpus (200 users, 20,000
 * documents, 100,000 chunks); the default 0.1 keeps a run to a few minutes on 2 cores.
 */
const SCALE = Number(process.env.BENCH_SCALE ?? 0.1);
const USERS = 200;
const DOCUMENTS = Math.round(20_000 * SCALE);
const CHUNKS_PER_DOCUMENT = 5;
const DIMENSIONS = 1536;
const TOPICS = 64;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 40);
const K = 5;

// Deterministic randomness, so runs compare.
let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const normalise = (v: Float32Array) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const near = (center: Float32Array, noise: number) => normalise(center.map((x) => x + noise * gaussian()));
const centers = Array.from({ length: TOPICS }, () => normalise(Float32Array.from({ length: DIMENSIONS }, gaussian)));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

const pg = await startSandboxPostgres({ port: 0 });
const fgaServer = await startFgaServer({ port: 0, databaseUrl: pg.url, log: () => {} });
await runMigrations(pg.url);
const { storeId } = await ensureStore(fgaServer.url, "bench-rag");
const fga = new OpenFgaClient({ apiUrl: fgaServer.url, storeId });
await ensureModel(fga);
Object.assign(process.env, {
  DATABASE_URL: pg.url,
  FGA_API_URL: fgaServer.url,
  FGA_STORE_ID: storeId,
  AUTH0_DOMAIN: "http://localhost:1",
  AUTH0_CLIENT_ID: "bench",
  AUTH0_CLIENT_SECRET: "bench",
  AUTH0_SECRET: "9d2f6b1e8c4a7035e1b9f2d6c8a40e57b3c9d1f0a6e2847b5c3d9e1f07a2b6c4",
  APP_BASE_URL: "http://localhost:3000",
  OPENAI_API_KEY: "unused",
});
const { retrieveChunks } = await import("../lib/rag/retrieve");
const { viewableAmong } = await import("../lib/fga/documents");
const { nearestChunksOverall } = await import("../db/queries/documents");
const sql = postgres(pg.url, { max: 4 });

// --- Corpus: every document owned by someone; a few shared with a team; a few public; three users in a
// company-wide group that sees 15% of everything (they take the over-fetch path).
console.log(`Generating ${DOCUMENTS} documents × ${CHUNKS_PER_DOCUMENT} chunks for ${USERS} users (scale ${SCALE})…`);
const user = (i: number) => `bench|u${i}`;
const teams = Array.from({ length: 20 }, (_, t) => Array.from({ length: 5 }, (_, j) => user((t * 5 + j) % USERS)));
const companyWide = [user(0), user(1), user(2)];
const visibleTo = new Map<string, Set<string>>(Array.from({ length: USERS }, (_, i) => [user(i), new Set<string>()]));
const tuples: { user: string; relation: string; object: string }[] = [];
for (const [t, members] of teams.entries()) for (const m of members) tuples.push({ user: `user:${m}`, relation: "member", object: `group:team${t}` });
for (const m of companyWide) tuples.push({ user: `user:${m}`, relation: "member", object: "group:company" });

const chunkVectors: { id: string; documentId: string; vector: Float32Array }[] = [];
const documentIds: string[] = [];
for (let d = 0; d < DOCUMENTS; d++) {
  const id = crypto.randomUUID();
  documentIds.push(id);
  const owner = user(Math.floor(random() * USERS));
  tuples.push({ user: `user:${owner}`, relation: "owner", object: `doc:${id}` });
  const viewers = new Set([owner]);
  const roll = random();
  if (roll < 0.02) {
    const t = Math.floor(random() * teams.length);
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
  const topic = Math.floor(random() * TOPICS);
  for (let c = 0; c < CHUNKS_PER_DOCUMENT; c++) chunkVectors.push({ id: crypto.randomUUID(), documentId: id, vector: near(centers[topic]!, 0.08) });
}

let started = performance.now();
for (let i = 0; i < tuples.length; i += 100) await fga.writeTuples(tuples.slice(i, i + 100));
for (let i = 0; i < documentIds.length; i += 500) {
  await sql`insert into documents ${sql(documentIds.slice(i, i + 500).map((id) => ({ id, owner_id: "bench", name: `doc-${id.slice(0, 8)}`, mime_type: "text/plain", size_bytes: 1, content: Buffer.from("x") })))}`;
}
for (let i = 0; i < chunkVectors.length; i += 200) {
  const rows = chunkVectors.slice(i, i + 200).map((c, j) => {
    const ordinal = (i + j) % CHUNKS_PER_DOCUMENT;
    // Offsets as ingestion stores them: each chunk's span of its document's text.
    return { id: c.id, document_id: c.documentId, ordinal, content: "chunk", start_offset: ordinal * 5, end_offset: ordinal * 5 + 5, embedding: `[${Array.from(c.vector).join(",")}]` };
  });
  await sql`insert into document_chunks ${sql(rows)}`;
}
console.log(`Loaded ${tuples.length} tuples and ${chunkVectors.length} chunks in ${((performance.now() - started) / 1000).toFixed(1)} s (HNSW index built as rows arrive).`);

// --- Queries
const ours: number[] = [];
const baseline: number[] = [];
const recall = { ours: [] as number[], baseline: [] as number[] };
// Each strategy forced on every query, to show where each is cheaper (the data behind PREFILTER_LIMIT).
const forced = { prefilter: [] as { ms: number; visible: number; recall: number }[], overfetch: [] as { ms: number; visible: number; recall: number }[] };
const strategies = { prefilter: 0, overfetch: 0 };
const visibilityShare = [...visibleTo.values()].map((s) => s.size / DOCUMENTS).sort((a, b) => a - b);
for (let q = 0; q < QUERIES; q++) {
  const who = user(q % 10 === 0 ? q % 3 : Math.floor(random() * USERS)); // every tenth query from a company-wide user
  const query = near(centers[Math.floor(random() * TOPICS)]!, 0.08);
  const visible = visibleTo.get(who)!;
  const truth = chunkVectors
    .filter((c) => visible.has(c.documentId))
    .map((c) => ({ c, score: cosine(c.vector, query) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, K);
  const expected = new Set(truth.map((t) => t.c.id));
  const embedding = Array.from(query);

  started = performance.now();
  const result = await retrieveChunks({ userSub: who, embedding, k: K });
  ours.push(performance.now() - started);
  strategies[result.strategy]++;
  recall.ours.push(overlap(result.chunks.map((c) => c.chunkId), expected, truth.length));

  for (const [strategy, prefilterLimit] of [["prefilter", Infinity], ["overfetch", 0]] as const) {
    started = performance.now();
    const run = await retrieveChunks({ userSub: who, embedding, k: K, prefilterLimit });
    forced[strategy].push({ ms: performance.now() - started, visible: visible.size, recall: overlap(run.chunks.map((c) => c.chunkId), expected, truth.length) });
  }

  started = performance.now();
  const top = await nearestChunksOverall(embedding, 25, 0);
  const allowed = await viewableAmong(who, [...new Set(top.map((c) => c.documentId))]);
  const baselineChunks = top.filter((c) => allowed.has(c.documentId)).slice(0, K);
  baseline.push(performance.now() - started);
  recall.baseline.push(overlap(baselineChunks.map((c) => c.chunkId), expected, truth.length));
}

function overlap(ids: string[], expected: Set<string>, size: number) {
  return size === 0 ? 1 : ids.filter((id) => expected.has(id)).length / size;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => `${x.toFixed(1)} ms`;
console.log(`\nRetrieval, k = ${K}, ${QUERIES} queries (${strategies.prefilter} prefilter, ${strategies.overfetch} over-fetch)`);
console.log(`  users seeing ≤ 1% of documents: ${visibilityShare.filter((s) => s <= 0.01).length} of ${USERS}; most: ${(visibilityShare.at(-1)! * 100).toFixed(1)}%`);
console.log(`                              recall   p50          p95`);
console.log(`  Delegate retriever          ${mean(recall.ours).toFixed(3)}    ${ms(median(ours))}   ${ms(percentile(ours, 95))}`);
console.log(`  top 25, then batch-check    ${mean(recall.baseline).toFixed(3)}    ${ms(median(baseline))}   ${ms(percentile(baseline, 95))}`);
console.log(`  latency ratio (ours / baseline): p50 ${(median(ours) / median(baseline)).toFixed(2)}×, p95 ${(percentile(ours, 95) / percentile(baseline, 95)).toFixed(2)}×`);
console.log(`\nEach strategy forced (median ms, recall), by how many documents the user may view:`);
for (const [label, test] of [["≤ 1% viewable", (v: number) => v <= DOCUMENTS * 0.01], ["> 1% viewable", (v: number) => v > DOCUMENTS * 0.01]] as const) {
  const pre = forced.prefilter.filter((r) => test(r.visible));
  const over = forced.overfetch.filter((r) => test(r.visible));
  if (pre.length === 0) continue;
  console.log(`  ${label} (${pre.length} queries): prefilter ${ms(median(pre.map((r) => r.ms)))} recall ${mean(pre.map((r) => r.recall)).toFixed(3)} · over-fetch ${ms(median(over.map((r) => r.ms)))} recall ${mean(over.map((r) => r.recall)).toFixed(3)}`);
}

// --- FGA micro-benchmarks at 10,000 and 1,000,000 tuples, in stores of their own, filled straight into storage.
for (const size of [10_000, 1_000_000]) {
  const { storeId: microStore } = await ensureStore(fgaServer.url, `bench-fga-${size}`);
  const micro = new OpenFgaClient({ apiUrl: fgaServer.url, storeId: microStore });
  await ensureModel(micro);
  started = performance.now();
  // One owner per document, for users u0…u999: a user owns size/1000 documents.
  await sql`
    insert into fga_tuples (store_id, object_type, object_id, relation, user_key, user_is_userset)
    select ${microStore}, 'doc', 'd' || g, 'owner', 'user:u' || (g % 1000), false from generate_series(1, ${size}) g
    on conflict do nothing`;
  const loaded = (performance.now() - started) / 1000;
  const time = async (run: () => Promise<unknown>, n = 30) => {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await run();
      samples.push(performance.now() - t);
    }
    return median(samples);
  };
  const check = await time(() => micro.check({ user: "user:u7", relation: "can_view", object: `doc:d${7 + 1000 * Math.floor(random() * (size / 1000))}` }));
  const batch = await time(() =>
    micro.batchCheck({ checks: Array.from({ length: 50 }, (_, i) => ({ user: "user:u7", relation: "can_view", object: `doc:d${i * 13 + 7}` })) }),
  );
  const list = await time(() => micro.listObjects({ user: "user:u7", relation: "can_view", type: "doc" }), 10);
  console.log(`\nFGA at ${size.toLocaleString("en-US")} tuples (loaded in ${loaded.toFixed(1)} s), medians:`);
  console.log(`  check ${ms(check)} · batch-check (50) ${ms(batch)} · list-objects (${size / 1000} results) ${ms(list)}`);
}

await sql.end();
await fgaServer.close();
await pg.close();
process.exit(0);
