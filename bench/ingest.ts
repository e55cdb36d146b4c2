import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { embedMany } from "ai";
import postgres from "postgres";
import { createDatabase, dropDatabase } from "../scripts/fresh-database";
import { untidyDocument } from "../tests/untidy-document";
import { startScript, stopScript } from "./util";

/**
 * `npm run bench:ingest`: the largest text document an upload may carry (10 MB of untidy Markdown), from its bytes
 * to searchable, phase by phase, as `npm run dev` runs it: the sandbox (PGlite, the embedding model, FGA) in a process
 * of its own, the app's ingestion (lib/rag/ingest.ts) in this one. Then the background pass that adds its chunks to
 * the HNSW index (lib/rag/chunk-indexing.ts), asked the same question during and after it. The corpus already holds
 * other documents (BENCH_FILLER_CHUNKS, 2,000), so the document meets a non-empty index. Baselines from the same run:
 * embedding the same chunks alone (no database), and storing the same rows alone (their embeddings known) into an
 * index in the same state, by one writer in one transaction (as uploads stored them before they used two connections,
 * and before they left the index to the pass). With DATABASE_URL it runs on that PostgreSQL server (a fresh database
 * is created there) instead of PGlite. Nothing is asserted about time: it prints the figures.
 */
const FILLER_CHUNKS = Number(process.env.BENCH_FILLER_CHUNKS ?? 2_000);

const serverUrl = process.env.DATABASE_URL;
const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-bench-ingest-"));
const databaseName = `bench_ingest_${Date.now()}`;
const databaseUrl = serverUrl ? await createDatabase(serverUrl, databaseName) : undefined;
const sandbox = await startSandboxProcess(dataDir, databaseUrl);
Object.assign(process.env, sandbox.env, databaseUrl ? { DATABASE_URL: databaseUrl } : {});
const { ingestDocument } = await import("../lib/rag/ingest");
const { chunkText } = await import("../lib/rag/chunk");
const { searchDocuments } = await import("../lib/rag/retrieve");
const { indexPendingChunks } = await import("../lib/rag/chunk-indexing");
const { embeddingModel } = await import("../lib/model");
const { embedAll, PARALLEL_REQUESTS } = await import("../lib/rag/embed");
const { MAX_DOCUMENT_BYTES } = await import("../lib/rag/limits");
const { EMBEDDING_DIMENSIONS } = await import("../db/schema");
const sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
const where = databaseUrl ? `PostgreSQL ${(await sql`select current_setting('server_version') as v`)[0]!.v}` : "PGlite (the sandbox's)";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const encoder = new TextEncoder();
const MB = 1024 * 1024;
const person = (n: number) => ({ sub: `bench|ingest-${n}`, name: `Bench Reader ${n} (Ærø)`, email: `reader-${n}@example.com` });

// --- The corpus before: other people's documents, ingested as uploads are.
let started = performance.now();
let filled = 0;
for (let n = 1; filled < FILLER_CHUNKS; n++) {
  const { text } = untidyDocument({ bytes: 256 * 1024, seed: 1_000 + n });
  filled += (await ingestDocument({ owner: person(n), name: `archive-${n}.md`, type: "text/markdown", bytes: encoder.encode(text) })).chunks;
}
await indexPendingChunks();
console.log(`Corpus: ${filled.toLocaleString("en-US")} chunks of other documents (${seconds(performance.now() - started)}), on ${where}.`);

const document = untidyDocument({ bytes: MAX_DOCUMENT_BYTES });
const bytes = encoder.encode(document.text);
const chunks = chunkText(document.text);
console.log(`Document: ${(bytes.byteLength / MB).toFixed(2)} MB of Markdown, ${document.text.length.toLocaleString("en-US")} characters, ${chunks.length.toLocaleString("en-US")} chunks.`);

// --- The upload, stored outside the HNSW index, which holds the corpus alone.
const owner = person(0);
const steps = new Map<string, number>();
const indexBefore = Number((await sql`select count(*) as n from document_chunks`)[0]!.n).toLocaleString("en-US");
started = performance.now();
const { id } = await ingestDocument({
  owner,
  name: "Archive 2015–2025 (Ærø).md",
  type: "text/markdown",
  bytes,
  onStep: (step) => steps.set(step, performance.now() - started),
});
const total = performance.now() - started;
/** Where the passage asked for ranks among the first five results, from 1 (0: not found), and how long it took. */
const ask = async () => {
  const searchStarted = performance.now();
  const found = await searchDocuments({ userSub: owner.sub, query: document.question, k: 5 });
  return { rank: 1 + found.chunks.findIndex((c) => c.documentId === id && c.content.includes(document.needle)), ms: performance.now() - searchStarted };
};
// Its chunks are outside the HNSW index, ranked exactly until the background pass has added them.
const [outside] = await sql<{ n: string }[]>`select count(*) as n from document_chunks where not indexed`;
const searchable = await ask();
// The pass the upload route starts after answering; the search may have started it already.
started = performance.now();
const indexed = indexPendingChunks();
await new Promise((resolve) => setTimeout(resolve, 10_000));
const whileIndexing = await ask();
await indexed;
const indexMs = performance.now() - started;
const afterIndexing = await ask();

// --- Baselines: the same chunks embedded alone (no database); the same rows stored alone by one writer (one
// transaction of INSERTs of 500 rows, as ingestion stored them before it used several connections), into a copy of
// the chunks table that holds what the upload met (the corpus, indexed alike).
const values = chunks.map((c) => c.content);
started = performance.now();
const embeddings = await embedAll(values);
const embedAlone = performance.now() - started;
started = performance.now();
await embedMany({ model: embeddingModel(), values, maxParallelCalls: 2, dimensions: EMBEDDING_DIMENSIONS });
const embedManyAlone = performance.now() - started;
await sql`create table bench_chunks (like document_chunks including all)`;
await sql`insert into bench_chunks select * from document_chunks where document_id <> ${id}`;
const rows = chunks.map((chunk, ordinal) => ({
  document_id: id,
  ordinal,
  content: chunk.content,
  start_offset: chunk.start,
  end_offset: chunk.end,
  embedding: `[${embeddings[ordinal]!.join(",")}]`,
}));
started = performance.now();
await sql.begin(async (tx) => {
  for (let i = 0; i < rows.length; i += 500) await tx`insert into bench_chunks ${tx(rows.slice(i, i + 500))}`;
});
const storeAlone = performance.now() - started;
await sql`drop table bench_chunks`;

const phase = (from: string | null, to: string) => steps.get(to)! - (from ? steps.get(from)! : 0);
const line = (label: string, ms: number, note = "") => console.log(`  ${label.padEnd(56)}${seconds(ms).padStart(8)}${note}`);
console.log(`\nIngesting it on ${where} (ingestDocument; ${indexBefore} chunks indexed before):`);
line("extract + chunk", phase(null, "chunked"));
line(`embed (${PARALLEL_REQUESTS} requests at a time)`, phase("chunked", "embedded"));
line("store (INSERTs of 500 rows, outside the HNSW index)", phase("embedded", "stored"));
line("owner tuple (FGA)", phase("stored", "owner recorded"));
line("total", total);
const found = ({ rank, ms }: { rank: number; ms: number }) => `${rank > 0 ? `the passage is result ${rank}` : "the passage was NOT found"}, in ${seconds(ms)}`;
console.log(`\nAsked "${document.question}" (searchDocuments, k = 5), with ${Number(outside!.n).toLocaleString("en-US")} chunks outside the index:`);
console.log(`  ${found(searchable)}; searchable ${seconds(total + searchable.ms)} after the upload started.`);
console.log(`\nThe background pass adding them to the HNSW index (indexPendingChunks):`);
line("all added after", indexMs);
console.log(`  asked 10 s into the pass: ${found(whileIndexing)}; after it: ${found(afterIndexing)}.`);
console.log(`\nBaselines from this run:`);
const ratio = (ms: number) => `   ingestion / this = ${(total / ms).toFixed(2)}×`;
line("the same chunks embedded alone", embedAlone, ratio(embedAlone));
line("  the same, embedMany with 2 parallel calls", embedManyAlone, `   this / the above = ${(embedManyAlone / embedAlone).toFixed(2)}×`);
line("the same rows stored alone into the index, one writer", storeAlone, ratio(storeAlone));
line("embedded alone, then stored alone", embedAlone + storeAlone, ratio(embedAlone + storeAlone));

await sql.end();
stopScript(sandbox.child);
await new Promise((resolve) => setTimeout(resolve, 500));
await rm(dataDir, { recursive: true, force: true });
if (serverUrl) await dropDatabase(serverUrl, databaseName);
process.exit([searchable, whileIndexing, afterIndexing].every(({ rank }) => rank > 0) ? 0 : 1);

/** `npm run sandbox` in a child process on free ports; resolves to the variables it prints for the app. */
async function startSandboxProcess(dataDir: string, databaseUrl: string | undefined) {
  const ports = ["IDENTITY", "FGA", "MODEL", "PROVIDERS", "SHOP", "POSTGRES"].map((name) => [`SANDBOX_${name}_PORT`, "0"]);
  const child = startScript("sandbox/main.ts", [], { ...Object.fromEntries(ports), DELEGATE_DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const env: Record<string, string> = {};
  child.stderr!.on("data", (data: Buffer) => process.stderr.write(data));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the sandbox exited (${code}) before it was ready`)));
    lines.on("line", (line) => {
      const variable = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      if (!variable) return;
      env[variable[1]!] = variable[2]!;
      // The last variable the sandbox prints.
      if (variable[1] === "SANDBOX_SERVICES") resolve();
    });
  });
  return { child, env };
}
