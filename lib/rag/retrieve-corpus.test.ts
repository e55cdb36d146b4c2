import { beforeAll, describe, expect, it, vi } from "vitest";
import { getFga } from "@/lib/fga/client";
import * as fgaDocuments from "@/lib/fga/documents";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { cosineDistance, SyntheticEmbeddings, vectorText, type Embedding } from "@/tests/synthetic-embeddings";
import * as documentQueries from "@/db/queries/documents";
import { nearestChunksOverall } from "@/db/queries/documents";
import { audienceWorkDone } from "./audiences";
import { indexPendingChunks } from "./chunk-indexing";
import { EXACT_LIMIT, retrieveChunks } from "./retrieve";
import { forgetListing } from "./viewable-listings";

// Every way retrieval ranks, against a brute-force ranking of a generated corpus, for readers who may see nothing,
// one chunk, k − 1, k, and thousands of documents (through a group, past FGA's 1,000-result list-objects cap).
const harness = setUpSandboxHarness();
// The chunks left out of the index stay out until the test below adds them: a walk would otherwise start a pass.
vi.mock("./chunk-indexing", async (original) => ({ ...(await original<typeof import("./chunk-indexing")>()), indexLeftoverChunks: () => {} }));
const K = 5;
const corpus = new SyntheticEmbeddings(7, 24);

interface StoredChunk {
  id: string;
  documentId: string;
  vector: Embedding;
  /** Stored as an upload stores it, outside the HNSW index until a pass adds it (chunk-indexing.ts). */
  indexed: boolean;
}
const chunks: StoredChunk[] = [];
/** Reader → the documents FGA lets them view, as this test wrote the tuples. */
const readable = new Map<string, Set<string>>();
const tuples: { user: string; relation: string; object: string }[] = [];
const documents: { id: string; owner: string; place: Float32Array }[] = [];

const MANY = 2_400;
const FAR_QUESTION = corpus.chunk(corpus.document());
const READERS = { nobody: "corpus|nobody", one: "corpus|one", fewer: "corpus|fewer", exactlyK: "corpus|k", many: "corpus|many", far: "corpus|far" };

function addDocument(owner: string, chunkCount: number, place = corpus.document(), vector = () => corpus.chunk(place), indexed = true) {
  const id = crypto.randomUUID();
  documents.push({ id, owner, place });
  tuples.push({ user: `user:${owner}`, relation: "owner", object: `doc:${id}` });
  for (let i = 0; i < chunkCount; i++) chunks.push({ id: crypto.randomUUID(), documentId: id, vector: vector(), indexed });
  if (!readable.has(owner)) readable.set(owner, new Set());
  readable.get(owner)!.add(id);
  return id;
}

const ranked = (reader: string, query: Embedding) =>
  chunks
    .filter((chunk) => readable.get(reader)?.has(chunk.documentId))
    .map((chunk) => ({ id: chunk.id, distance: cosineDistance(chunk.vector, query) }))
    .sort((a, b) => a.distance - b.distance);

beforeAll(async () => {
  // Others' documents, which must never be returned to the readers below.
  for (let i = 0; i < 300; i++) addDocument(`corpus|other${i % 7}`, 1 + (i % 3));
  addDocument(READERS.one, 1);
  addDocument(READERS.fewer, K - 1);
  addDocument(READERS.exactlyK, 2);
  addDocument(READERS.exactlyK, K - 2);
  // Thousands of documents, each shared with a group the reader is in (and owned by someone else).
  readable.set(READERS.many, new Set());
  tuples.push({ user: `user:${READERS.many}`, relation: "member", object: "group:all-hands" });
  for (let i = 0; i < MANY; i++) {
    // One in ten not in the index yet, as just uploaded: every walk below merges them in.
    const id = addDocument(`corpus|author${i % 40}`, 1, undefined, undefined, i % 10 !== 0);
    tuples.push({ user: "group:all-hands#member", relation: "viewer", object: `doc:${id}` });
    readable.get(READERS.many)!.add(id);
  }
  // A reader whose chunks are all further from one question than 1,500 of the others: a walk of the ranking's first
  // 700 finds none of them, even with the index missing some of those nearer. They are drawn as the others are,
  // rejecting the nearer ones, rather than made up, as a made-up cluster set apart from every other chunk can leave the
  // HNSW graph with no way into the rest of it.
  const walkedPast = chunks.map((chunk) => cosineDistance(chunk.vector, FAR_QUESTION)).sort((a, b) => a - b)[1_500]!;
  while ((readable.get(READERS.far)?.size ?? 0) < EXACT_LIMIT + 1) {
    const place = corpus.document();
    const vector = corpus.chunk(place);
    if (cosineDistance(vector, FAR_QUESTION) > walkedPast) addDocument(READERS.far, 1, place, () => vector);
  }

  for (let i = 0; i < tuples.length; i += 100) await getFga().writeTuples(tuples.slice(i, i + 100));
  // Loaded without the HNSW indexes, which are then built once each, as a bulk load does, as the migrations define them.
  const indexes = await harness.sql<{ name: string; definition: string }[]>`
    select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as definition from pg_index i join pg_class c on c.oid = i.indexrelid
    where indrelid in ('document_chunks'::regclass, 'chunk_signs'::regclass) and c.relam = (select oid from pg_am where amname = 'hnsw')`;
  expect(indexes.map((index) => index.name).sort()).toEqual(["chunk_signs_signs_idx", "document_chunks_embedding_idx"]);
  for (const { name } of indexes) await harness.sql.unsafe(`drop index ${name}`);
  for (let i = 0; i < documents.length; i += 500) {
    await harness.sql`insert into documents ${harness.sql(
      documents.slice(i, i + 500).map((d, j) => ({ id: d.id, owner_id: d.owner, name: `Dokument ${i + j} (Entwurf) — ünïcode.md`, mime_type: "text/markdown", size_bytes: 1, content: Buffer.from("x") })),
    )}`;
  }
  for (let i = 0; i < chunks.length; i += 200) {
    await harness.sql`insert into document_chunks ${harness.sql(
      chunks.slice(i, i + 200).map((c) => ({ id: c.id, document_id: c.documentId, ordinal: 0, content: `chunk ${c.id}`, embedding: vectorText(c.vector), indexed: c.indexed })),
    )}`;
  }
  for (const { definition } of indexes) await harness.sql.unsafe(definition);
}, 300_000);

/**
 * The exact top k: at every rank the same distance, and only chunks at least as near as the k-th. pgvector sums in
 * single precision, so chunks whose distances differ by less than that may swap places: they count as ties.
 */
function expectExactTopK(chunks: { chunkId: string; distance: number }[], ranking: { id: string; distance: number }[]) {
  const expected = ranking.slice(0, K);
  expect(chunks).toHaveLength(expected.length);
  chunks.forEach((chunk, i) => expect(chunk.distance).toBeCloseTo(expected[i]!.distance, 5));
  const kth = expected.at(-1)?.distance ?? -Infinity;
  const nearEnough = new Set(ranking.filter((c) => c.distance <= kth + 1e-6).map((c) => c.id));
  for (const chunk of chunks) expect(nearEnough.has(chunk.chunkId)).toBe(true);
}

/**
 * k chunks among the reader's nearest 4k, each no more than 0.001 further from the question than the exact k-th: where
 * no chunk is near the question, the nearest chunks' distances differ in the fourth decimal, below what the quantized
 * index's signs tell apart, and the scan's candidates ranked by their full embeddings come that close.
 */
function expectNearTopK(chunks: { chunkId: string; distance: number }[], ranking: { id: string; distance: number }[]) {
  expect(chunks).toHaveLength(K);
  const near = new Set(ranking.slice(0, 4 * K).map((c) => c.id));
  for (const chunk of chunks) expect(near.has(chunk.chunkId)).toBe(true);
  for (const chunk of chunks) expect(chunk.distance).toBeLessThanOrEqual(ranking[K - 1]!.distance + 0.001);
}

const question = () => corpus.chunk(documents[corpus.integer(documents.length)]!.place);

/**
 * Ten questions from the reader of thousands of documents, each answered by the index path with k chunks they may
 * read (and whatever `check` asks of each result): how many of the 50 are in the exact top k.
 */
async function indexPathHits(check: (result: Awaited<ReturnType<typeof retrieveChunks>>) => void = () => {}) {
  let found = 0;
  for (let q = 0; q < 10; q++) {
    const query = question();
    const result = await retrieveChunks({ userSub: READERS.many, embedding: Array.from(query), k: K });
    check(result);
    expect(result.strategy).toBe("index");
    expect(result.chunks).toHaveLength(K);
    for (const chunk of result.chunks) expect(readable.get(READERS.many)!.has(chunk.documentId)).toBe(true);
    const truth = new Set(ranked(READERS.many, query).slice(0, K).map((c) => c.id));
    found += result.chunks.filter((c) => truth.has(c.chunkId)).length;
  }
  return found;
}

describe("retrieval on a generated corpus, against brute force", () => {
  for (const [reader, expected] of [["nobody", 0], ["one", 1], ["fewer", K - 1], ["exactlyK", K]] as const) {
    it(`returns exactly the authorized top k, or all there are, for a reader with ${expected} chunks`, async () => {
      const query = question();
      const result = await retrieveChunks({ userSub: READERS[reader], embedding: Array.from(query), k: K });
      expect(result.strategy).toBe("exact");
      expectExactTopK(result.chunks, ranked(READERS[reader], query));
      expect(result.chunks).toHaveLength(expected);
    });
  }

  it("ranks thousands of readable documents exactly when asked to (recall 1.0)", async () => {
    for (let q = 0; q < 5; q++) {
      const query = question();
      const result = await retrieveChunks({ userSub: READERS.many, embedding: Array.from(query), k: K, forcePath: "exact" });
      expect(result.fgaQuestions[0]!.allowedCount).toBe(MANY);
      expectExactTopK(result.chunks, ranked(READERS.many, query));
    }
  });

  it("walks the index for thousands of readable documents: k chunks, all readable, nearly the exact top k", async () => {
    const found = await indexPathHits((result) => {
      const distances = result.chunks.map((c) => c.distance);
      expect(distances).toEqual(distances.toSorted((a, b) => a - b));
    });
    // Approximate, but only just: the index misses at most a few of the 50.
    expect(found).toBeGreaterThanOrEqual(45);
  });

  it("scans the quantized index for a reused listing's chunks: k chunks, all readable, nearly the exact top k", async () => {
    // A listing to reuse, made by a search ranking exactly.
    await forgetListing(READERS.many);
    await retrieveChunks({ userSub: READERS.many, embedding: Array.from(question()), k: K, forcePath: "exact" });
    const scanned = vi.spyOn(documentQueries, "nearestListedChunks");
    let found = 0;
    try {
      found = await indexPathHits((result) => expect(result.fgaQuestions[0]).toMatchObject({ call: "list-objects", askedAt: expect.any(String) }));
      expect(scanned).toHaveBeenCalledTimes(10);
    } finally {
      scanned.mockRestore();
    }
    // 50 in three runs; 47 with two candidates per chunk asked for, 38 with one.
    expect(found).toBeGreaterThanOrEqual(48);
  });

  it("scans the graph of the group a reader reads through, their other documents beside it, and never returns what the listing lacks", async () => {
    const relisted = async () => {
      await forgetListing(READERS.many);
      await retrieveChunks({ userSub: READERS.many, embedding: Array.from(question()), k: K, forcePath: "exact" });
      // The listing's audiences are decided after it is stored, as the person types (audiences.ts).
      await audienceWorkDone();
      const [listing] = await harness.sql<{ id: string; audiences: string[] | null; uncovered: number }[]>`
        select id, audience_ids::text[] as audiences, uncovered_chunks as uncovered from viewable_listings where user_id = ${READERS.many}`;
      return listing!;
    };
    const listing = await relisted();
    // The group's documents have more chunks in the index than are ranked exactly: it has a graph of its own, with a
    // copy of the signs of every chunk of theirs in the index, and the listing is scanned there.
    const [audience] = await harness.sql<{ id: string; subject: string; ready: boolean }[]>`select id::text, subject, graph_ready as ready from audiences where subject = 'group:all-hands#member'`;
    expect(audience).toMatchObject({ ready: true });
    expect(listing.audiences).toEqual([audience!.id]);
    expect(listing.uncovered).toBe(0);
    const [copies] = await harness.sql<{ missing: number; extra: number }[]>`
      select (select count(*)::int from chunk_signs s join audience_documents d on d.document_id = s.document_id and d.audience_id = ${audience!.id}
              where not exists (select from audience_chunk_signs a where a.audience_id = d.audience_id and a.chunk_id = s.chunk_id)) as missing,
             (select count(*)::int from audience_chunk_signs a where a.audience_id = ${audience!.id}
              and not exists (select from chunk_signs s where s.chunk_id = a.chunk_id)) as extra`;
    expect(copies).toEqual({ missing: 0, extra: 0 });
    expect(await harness.sql`select 1 from pg_index where indexrelid = to_regclass(${`audience_chunk_signs_${audience!.id}_idx`}) and indisvalid`).toHaveLength(1);

    expect(await indexPathHits()).toBeGreaterThanOrEqual(48);

    // A document of the reader's own, not the group's, nearest the question: found among their other documents. And one
    // of the group's, unshared from it through FGA's own API: still in the group's graph (audiences only grow), never
    // returned, as the reader's new listing lacks it.
    const query = question();
    const own = { id: crypto.randomUUID(), chunk: crypto.randomUUID() };
    const unshared = ranked(READERS.many, query)[0]!;
    const unsharedDocument = chunks.find((chunk) => chunk.id === unshared.id)!.documentId;
    await harness.sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content) values (${own.id}, ${READERS.many}, 'Mine: notes (2026) — ü.md', 'text/markdown', 1, ${Buffer.from("x")})`;
    await harness.sql`insert into document_chunks (id, document_id, ordinal, content, embedding, indexed) values (${own.chunk}, ${own.id}, 0, 'mine', ${vectorText(query)}, true)`;
    await getFga().writeTuples([{ user: `user:${READERS.many}`, relation: "owner", object: `doc:${own.id}` }]);
    await getFga().deleteTuples([{ user: "group:all-hands#member", relation: "viewer", object: `doc:${unsharedDocument}` }]);
    try {
      const mixed = await relisted();
      expect(mixed.audiences).toEqual([audience!.id]);
      expect(mixed.uncovered).toBe(1);
      const result = await retrieveChunks({ userSub: READERS.many, embedding: Array.from(query), k: K });
      expect(result.strategy).toBe("index");
      expect(result.chunks[0]).toMatchObject({ chunkId: own.chunk, documentName: "Mine: notes (2026) — ü.md" });
      expect(result.chunks).toHaveLength(K);
      expect(result.chunks.map((chunk) => chunk.documentId)).not.toContain(unsharedDocument);
      expect(await harness.sql`select 1 from audience_documents where document_id = ${unsharedDocument}`).toHaveLength(1);
      // A copy in the group's graph claiming a listed document for another's chunk (the copies are the triggers' to
      // keep, and triggers can be turned off), asked about in that chunk's very words: found first by the scan, and
      // never returned, as the ranking checks each chunk's own document against the listing.
      const othersChunk = chunks.find((chunk) => !readable.get(READERS.many)!.has(chunk.documentId) && chunk.indexed)!;
      const listedDocument = chunks.find((chunk) => chunk.indexed && readable.get(READERS.many)!.has(chunk.documentId) && chunk.documentId !== unsharedDocument)!.documentId;
      await harness.sql`insert into audience_chunk_signs (audience_id, chunk_id, document_id, signs)
        values (${audience!.id}, ${othersChunk.id}, ${listedDocument}, binary_quantize(${vectorText(othersChunk.vector)}::vector))`;
      const forged = await retrieveChunks({ userSub: READERS.many, embedding: Array.from(othersChunk.vector), k: K });
      expect(forged.strategy).toBe("index");
      expect(forged.chunks).toHaveLength(K);
      expect(forged.chunks.map((chunk) => chunk.chunkId)).not.toContain(othersChunk.id);
      await harness.sql`delete from audience_chunk_signs where chunk_id = ${othersChunk.id} and audience_id = ${audience!.id}`;
    } finally {
      await getFga().writeTuples([{ user: "group:all-hands#member", relation: "viewer", object: `doc:${unsharedDocument}` }]);
      await getFga().deleteTuples([{ user: `user:${READERS.many}`, relation: "owner", object: `doc:${own.id}` }]);
      await harness.sql`delete from documents where id = ${own.id}`;
      await forgetListing(READERS.many);
    }
  });

  it("ranks a listing's chunks outside the index beside the index's, when the nearest are all outside it", async () => {
    const query = question();
    const nearest = ranked(READERS.many, query).slice(0, K).map((c) => chunks.find((chunk) => chunk.id === c.id)!);
    // A listing to reuse, made by a search ranking exactly.
    await forgetListing(READERS.many);
    await retrieveChunks({ userSub: READERS.many, embedding: Array.from(question()), k: K, forcePath: "exact" });
    // Taken out of the index, as an upload's chunks are until a pass adds them: their signs go with it.
    await harness.sql`update document_chunks set indexed = false where id in ${harness.sql(nearest.map((c) => c.id))}`;
    expect(await harness.sql`select 1 from chunk_signs where chunk_id in ${harness.sql(nearest.map((c) => c.id))}`).toHaveLength(0);
    try {
      const result = await retrieveChunks({ userSub: READERS.many, embedding: Array.from(query), k: K });
      // The listing the search before made is reused: the index scanned for its chunks alone.
      expect(result.fgaQuestions[0]).toMatchObject({ call: "list-objects", askedAt: expect.any(String) });
      expect(result.strategy).toBe("index");
      expectExactTopK(result.chunks, ranked(READERS.many, query));
    } finally {
      const indexed = nearest.filter((c) => c.indexed).map((c) => c.id);
      if (indexed.length > 0) await harness.sql`update document_chunks set indexed = true where id in ${harness.sql(indexed)}`;
    }
  });

  it("never returns fewer than k when none of the reader's chunks is near the question", async () => {
    const far = (options: { forcePath?: "index" } = {}) => retrieveChunks({ userSub: READERS.far, embedding: Array.from(FAR_QUESTION), k: K, ...options });
    // The first search lists the reader's documents and, holding them in memory while it stores them, walks the ranking
    // of all chunks: none of theirs by rank 700, so once they are stored it scans the index for their chunks alone.
    const walkedFirst = vi.spyOn(documentQueries, "nearestChunksOverall");
    const first = await far();
    expect(walkedFirst).toHaveBeenCalledTimes(3);
    walkedFirst.mockRestore();
    expect(first.strategy).toBe("index");
    expectNearTopK(first.chunks, ranked(READERS.far, FAR_QUESTION));
    // The next reuses the stored listing: the quantized index scanned for its chunks alone reads on past everyone else's.
    const scanned = await far();
    expect(scanned.fgaQuestions[0]).toMatchObject({ call: "list-objects", askedAt: expect.any(String) });
    expect(scanned.strategy).toBe("index");
    expectNearTopK(scanned.chunks, ranked(READERS.far, FAR_QUESTION));
    // A scan that gives up before it finds k (pgvector stops at hnsw.max_scan_tuples) is followed by an exact ranking.
    const gaveUp = vi.spyOn(documentQueries, "nearestListedChunks").mockResolvedValueOnce([]);
    const exact = await far();
    expect(gaveUp).toHaveBeenCalledTimes(1);
    gaveUp.mockRestore();
    expect(exact.strategy).toBe("exact");
    expectExactTopK(exact.chunks, ranked(READERS.far, FAR_QUESTION));
    // A walk with no listing, checking each window's documents with FGA, finds none by rank 700, and lists after all;
    // its listing stored, the quantized index is scanned for it.
    await forgetListing(READERS.far);
    const walked = await far({ forcePath: "index" });
    expect(walked.fgaQuestions.map((q) => q.call)).toEqual(["batch-check", "list-objects"]);
    expectNearTopK(walked.chunks, ranked(READERS.far, FAR_QUESTION));
  });

  it("lists again ten minutes after the listing that found the reader to walk, as they may now read fewer chunks", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const reader = "corpus|returning";
      await getFga().writeTuples([{ user: `user:${reader}`, relation: "member", object: "group:all-hands" }]);
      const calls = async () => (await retrieveChunks({ userSub: reader, embedding: Array.from(question()), k: K })).fgaQuestions.map((q) => q.call);
      expect(await calls()).toEqual(["list-objects"]);
      await forgetListing(reader);
      vi.advanceTimersByTime(9 * 60_000);
      expect(await calls()).toEqual(["batch-check"]);
      vi.advanceTimersByTime(2 * 60_000);
      expect(await calls()).toEqual(["list-objects"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails, returning nothing, when FGA does not answer a walk's check", async () => {
    await forgetListing(READERS.many);
    const batchCheck = vi.spyOn(getFga(), "batchCheck").mockRejectedValueOnce(new Error("connect ECONNREFUSED"));
    await expect(retrieveChunks({ userSub: READERS.many, embedding: Array.from(question()), k: K, forcePath: "index" })).rejects.toThrow(fgaDocuments.FgaUnavailableError);
    expect(batchCheck).toHaveBeenCalledTimes(1);
    batchCheck.mockRestore();
  });

  it("a reader who walked the index does not list again when the listing expires, and once taken out of the group through FGA's own API gets none of its documents", async () => {
    // A newcomer to the group of READERS.many, whose first search this is.
    const reader = "corpus|newcomer";
    const membership = { user: `user:${reader}`, relation: "member", object: "group:all-hands" };
    await getFga().writeTuples([membership]);
    const query = () => Array.from(question());
    const first = await retrieveChunks({ userSub: reader, embedding: query(), k: K });
    // The first search lists the reader's documents, which are too many to rank exactly: it walks the index.
    expect(first.strategy).toBe("index");
    expect(first.fgaQuestions.map((q) => q.call)).toEqual(["list-objects"]);
    // Once that listing is no longer reused (forgotten here, as it is 30 s on or after a change), the next searches
    // ask FGA about each window's documents instead, and record only those the reader may view.
    await forgetListing(reader);
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    const checks = vi.spyOn(fgaDocuments, "canEach");
    const asked = question();
    const next = await retrieveChunks({ userSub: reader, embedding: Array.from(asked), k: K });
    expect(list).not.toHaveBeenCalled();
    // One batch-check request each: FGA takes at most 50 checks in one.
    expect(checks).toHaveBeenCalled();
    for (const [, , documents] of checks.mock.calls) expect(documents.length).toBeLessThanOrEqual(50);
    vi.restoreAllMocks();
    expect(next.strategy).toBe("index");
    expect(next.chunks).toHaveLength(K);
    const distances = next.chunks.map((c) => c.distance);
    expect(distances).toEqual(distances.toSorted((a, b) => a - b));
    const truth = new Set(ranked(READERS.many, asked).slice(0, K).map((c) => c.id));
    expect(next.chunks.filter((c) => truth.has(c.chunkId)).length).toBeGreaterThanOrEqual(K - 1);
    // On record, one question for all the walk's checks: the documents it returned, all of them the reader's.
    const returned = [...new Set(next.chunks.map((c) => c.documentId))];
    expect(next.fgaQuestions).toEqual([{ call: "batch-check", relation: "can_view", allowedCount: returned.length, allowed: returned }]);
    for (const id of returned) expect(readable.get(READERS.many)!.has(id)).toBe(true);

    // k = 1, and k = 0 (which asks nothing and ends).
    expect((await retrieveChunks({ userSub: reader, embedding: query(), k: 1 })).chunks).toHaveLength(1);
    expect(await retrieveChunks({ userSub: reader, embedding: query(), k: 0 })).toEqual({ chunks: [], strategy: "exact", fgaQuestions: [] });

    await getFga().deleteTuples([membership]);
    const after = await retrieveChunks({ userSub: reader, embedding: query(), k: K });
    expect(after.chunks).toEqual([]);
    // On record: the walk, which returned nothing, then a new listing, empty.
    expect(after.fgaQuestions.map((q) => [q.call, q.allowedCount])).toEqual([["batch-check", 0], ["list-objects", 0]]);
  });

  it("merges the chunks not yet in the index into its ranking exactly, window after window", async () => {
    const pending = chunks.filter((chunk) => !chunk.indexed);
    const asked = pending[corpus.integer(pending.length)]!;
    const windows = [await nearestChunksOverall(Array.from(asked.vector), 100, 0), await nearestChunksOverall(Array.from(asked.vector), 100, 100)];
    const walked = windows.flat();
    expect(walked).toHaveLength(200);
    expect(new Set(walked.map((c) => c.chunkId)).size).toBe(200);
    expect(walked.map((c) => c.distance)).toEqual(walked.map((c) => c.distance).toSorted((a, b) => a - b));
    expect(walked[0]!.chunkId).toBe(asked.id);
    const [row] = await harness.sql<{ outside: boolean }[]>`select not indexed as outside from document_chunks where id = ${asked.id}`;
    expect(row!.outside).toBe(true);
    // Every chunk outside the index as near as the last one walked is in the walk: those are ranked exactly.
    const deepest = walked.at(-1)!.distance;
    const nearPending = pending.filter((chunk) => cosineDistance(chunk.vector, asked.vector) < deepest - 1e-6).map((chunk) => chunk.id);
    expect(nearPending.length).toBeGreaterThan(1);
    const walkedIds = new Set(walked.map((c) => c.chunkId));
    for (const id of nearPending) expect(walkedIds.has(id)).toBe(true);
    // And the index's part is its own first 200, not cut to a window: nearly the exact top 200 of everything.
    const truth = chunks.map((chunk) => ({ id: chunk.id, distance: cosineDistance(chunk.vector, asked.vector) })).sort((a, b) => a.distance - b.distance);
    expect(truth.slice(0, 200).filter((chunk) => walkedIds.has(chunk.id)).length).toBeGreaterThanOrEqual(190);
  });

  it("adds the chunks of stored documents to the index, not those of an upload still storing, and the walk finds them there", async () => {
    const storing = crypto.randomUUID();
    await harness.sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content, storing_heartbeat) values (${storing}, 'corpus|uploader', 'half-stored.md', 'text/markdown', 1, ${Buffer.from("x")}, now())`;
    await harness.sql`insert into document_chunks (document_id, ordinal, content, embedding, indexed) values (${storing}, 0, 'storing', ${vectorText(question())}, false)`;
    const pendingBefore = chunks.filter((chunk) => !chunk.indexed).length;
    const count = async () => (await harness.sql<{ n: number }[]>`select count(*)::int as n from document_chunks where not indexed`)[0]!.n;
    expect(await count()).toBe(pendingBefore + 1);

    await indexPendingChunks();

    const left = await harness.sql<{ document_id: string }[]>`select document_id from document_chunks where not indexed`;
    expect(left).toEqual([{ document_id: storing }]);
    // Each chunk now in the index has its signs, with its document, and none outside it has any.
    const signs = async () =>
      harness.sql<{ chunks: number; signed: number; unsigned: number; astray: number }[]>`
        select count(*)::int as chunks, count(s.chunk_id) filter (where c.indexed and s.document_id = c.document_id and s.signs = binary_quantize(c.embedding))::int as signed,
               count(*) filter (where c.indexed and s.chunk_id is null)::int as unsigned, count(s.chunk_id) filter (where not c.indexed)::int as astray
        from document_chunks c left join chunk_signs s on s.chunk_id = c.id`;
    expect(await signs()).toEqual([{ chunks: chunks.length + 1, signed: chunks.length, unsigned: 0, astray: 0 }]);
    await harness.sql`delete from documents where id = ${storing}`;
    // What was outside the index is now found through it: the walk returns it first.
    const asked = chunks.find((chunk) => !chunk.indexed)!;
    const [first] = await nearestChunksOverall(Array.from(asked.vector), 5, 0);
    expect(first!.chunkId).toBe(asked.id);
    const result = await retrieveChunks({ userSub: READERS.many, embedding: Array.from(asked.vector), k: K, forcePath: "index" });
    expect(result.chunks[0]!.chunkId).toBe(asked.id);
    // A chunk whose embedding changes while in the index gets the new one's signs.
    const flipped = `[${Array.from(asked.vector, (x) => -x).join(",")}]`;
    await harness.sql`update document_chunks set embedding = ${flipped}::vector where id = ${asked.id}`;
    const [resigned] = await harness.sql<{ same: boolean }[]>`
      select s.signs = binary_quantize(c.embedding) and s.signs <> binary_quantize(${vectorText(asked.vector)}::vector) as same
      from chunk_signs s join document_chunks c on c.id = s.chunk_id where c.id = ${asked.id}`;
    expect(resigned).toEqual({ same: true });
    await harness.sql`update document_chunks set embedding = ${vectorText(asked.vector)}::vector where id = ${asked.id}`;
    // A document removed takes its chunks' signs with it.
    const [owned] = await harness.sql<{ id: string; signed: number }[]>`
      select c.document_id as id, count(*)::int as signed from chunk_signs s join document_chunks c on c.id = s.chunk_id where c.document_id = ${asked.documentId} group by 1`;
    expect(owned!.signed).toBeGreaterThan(0);
    const removed = await harness.sql<{ id: string }[]>`select id, document_id, ordinal, content, start_offset, end_offset, embedding, indexed from document_chunks where document_id = ${asked.documentId}`;
    const document = await harness.sql`select * from documents where id = ${asked.documentId}`;
    await harness.sql`delete from documents where id = ${asked.documentId}`;
    try {
      expect(await harness.sql`select 1 from chunk_signs where document_id = ${asked.documentId}`).toHaveLength(0);
    } finally {
      await harness.sql`insert into documents ${harness.sql(document)}`;
      await harness.sql`insert into document_chunks ${harness.sql(removed)}`;
    }
  });
});
