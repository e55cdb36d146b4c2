import { embed } from "ai";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as documentQueries from "@/db/queries/documents";
import { readPermissionRevision } from "@/db/queries/permission-revision";
import * as listingQueries from "@/db/queries/viewable-listings";
import * as changeWatch from "@/lib/fga/change-watch";
import * as fgaDocuments from "@/lib/fga/documents";
import { embeddingModel } from "@/lib/model";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { ingestDocument } from "./ingest";
import { getConfig } from "@/lib/config";
import { getFga } from "@/lib/fga/client";
import { listAhead, MAX_IDS_PER_QUESTION, retrieveChunks } from "./retrieve";
import * as viewableListings from "./viewable-listings";
import { forgetListing, lastListing } from "./viewable-listings";

// Retrieval against a real Postgres with pgvector, the sandbox FGA service and the sandbox embedding model.
const harness = setUpSandboxHarness();
const ALICE = "auth0|alice";
const BOB = "auth0|bob";
const CAROL = "auth0|carol";
const QUERY = "quarterly budget forecast for the marketing team";

const text = new TextEncoder();
const ingest = (ownerSub: string, name: string, body: string) =>
  ingestDocument({ owner: { sub: ownerSub, name: ownerSub, email: null }, name, type: "text/markdown", bytes: text.encode(body) });

async function queryEmbedding(value: string) {
  return (await embed({ model: embeddingModel(), value })).embedding;
}

const BOBS_NOTES = [
  "Notes about the marketing offsite, and a little about the quarterly budget.",
  "The marketing team forecast: budget notes for the next quarter.",
  "Budget review for the design team, second quarter.",
  "Forecast of office supplies for the marketing department.",
  "Notes about the marketing offsite agenda and the venue.",
  "Quarterly numbers for sales, not marketing.",
  "Lunch options near the office on Fridays.",
  "The team photo is on the shared drive.",
  "Budget, budget, budget: why the forecast slipped.",
  "Parking permits renew every January.",
];

/** What bob may read, as this test set it up: the documents he owns and the one alice shared with him. */
const bobsDocuments = new Set<string>();

beforeAll(async () => {
  // Carol owns many documents that match the query better than anything bob may read: a global top-N then
  // filter would return bob nothing.
  for (let i = 0; i < 30; i++) await ingest(CAROL, `carol-${i}.md`, `Quarterly budget forecast for the marketing team, version ${i}.`);
  // Bob's own, from close to far from the query, so his top 5 is a strict choice among them.
  for (const body of BOBS_NOTES) bobsDocuments.add((await ingest(BOB, `bob-${bobsDocuments.size}.md`, body)).id);
  const shared = await ingest(ALICE, "shared-forecast.md", "Alice's quarterly budget forecast for marketing, shared with bob.");
  await fgaDocuments.share(shared.id, { type: "user", sub: BOB });
  bobsDocuments.add(shared.id);
  await ingest(ALICE, "alice-private.md", "Alice's private quarterly budget forecast for the marketing team.");
});

/** Cosine distance, as pgvector's `<=>` computes it. */
function cosineDistance(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((value, i) => {
    dot += value * b[i]!;
    normA += value * value;
    normB += b[i]! * b[i]!;
  });
  return 1 - dot / Math.sqrt(normA * normB);
}

/** Every stored chunk ranked by brute force against `embedding`, independently of the retriever and of FGA. */
async function rankEveryChunk(embedding: number[]) {
  const rows = await harness.sql<{ id: string; document_id: string; embedding: string }[]>`select id, document_id, embedding::text from document_chunks`;
  return rows
    .map((row) => ({ chunkId: row.id, documentId: row.document_id, distance: cosineDistance(JSON.parse(row.embedding) as number[], embedding) }))
    .sort((a, b) => a.distance - b.distance);
}

describe("permission-aware retrieval", () => {
  // Here a reused listing is a guess to check, as it is whenever FGA's changelog has not been read since it (what the
  // changelog says is tested below): which it is would otherwise depend on when this file's own shares were made.
  beforeEach(() => {
    vi.spyOn(changeWatch, "changesSince").mockResolvedValue(undefined);
    return () => vi.restoreAllMocks();
  });

  for (const strategy of ["exact", "index"] as const) {
    it(`returns exactly the best k chunks bob may read, never fewer when k exist (${strategy})`, async () => {
      const embedding = await queryEmbedding(QUERY);
      const ranking = await rankEveryChunk(embedding);
      const authorized = ranking.filter((chunk) => bobsDocuments.has(chunk.documentId));
      const expected = authorized.slice(0, 5);
      // The test means something only if the 5th and 6th are told apart, and closer chunks bob may not read exist.
      expect(authorized[5]!.distance - expected[4]!.distance).toBeGreaterThan(1e-6);
      expect(ranking.filter((chunk) => !bobsDocuments.has(chunk.documentId) && chunk.distance < expected[4]!.distance).length).toBeGreaterThan(30);

      const result = await retrieveChunks({ userSub: BOB, embedding, k: 5, forcePath: strategy });
      expect(result.strategy).toBe(strategy);
      expect(result.chunks.map((c) => c.chunkId)).toEqual(expected.map((c) => c.chunkId));
      result.chunks.forEach((chunk, i) => expect(chunk.distance).toBeCloseTo(expected[i]!.distance, 5));
      expect(result.chunks[0]!.documentName).toBe("shared-forecast.md");
    });
  }

  it("reports the questions it asked FGA and the answers: the documents allowed, never content", async () => {
    const embedding = await queryEmbedding(QUERY);
    await forgetListing(BOB);
    for (const forcePath of ["exact", "index"] as const) {
      const result = await retrieveChunks({ userSub: BOB, embedding, k: 5, forcePath });
      const listed = { call: "list-objects", relation: "can_view", allowedCount: bobsDocuments.size, allowed: expect.any(Array) };
      const returned = [...new Set(result.chunks.map((chunk) => chunk.documentId))];
      // The first search lists bob's documents; the second ranks by that listing and checks what it returns.
      expect(result.fgaQuestions).toEqual(
        forcePath === "exact"
          ? [listed]
          : [{ ...listed, askedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }, { call: "batch-check", relation: "can_view", allowedCount: returned.length, allowed: returned }],
      );
      expect(result.fgaQuestions[0]!.allowed.toSorted()).toEqual([...bobsDocuments].toSorted());
      expect(JSON.stringify(result.fgaQuestions)).not.toMatch(/budget|forecast|marketing/i);
    }
  });

  it("asks FGA what the user may read while the question is still being embedded, and fails as the embedding does", async () => {
    await forgetListing(BOB);
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    let answer!: (embedding: number[]) => void;
    const searching = retrieveChunks({ userSub: BOB, embedding: new Promise<number[]>((resolve) => (answer = resolve)), k: 5 });
    await vi.waitFor(() => expect(list).toHaveBeenCalledTimes(1));
    list.mockRestore();
    const embedding = await queryEmbedding(QUERY);
    answer(embedding);
    const expected = (await rankEveryChunk(embedding)).filter((chunk) => bobsDocuments.has(chunk.documentId)).slice(0, 5);
    expect((await searching).chunks.map((c) => c.chunkId)).toEqual(expected.map((c) => c.chunkId));
    // The listing that search made is reused here, and the failed embedding is the error, with nothing left unhandled.
    await expect(retrieveChunks({ userSub: BOB, embedding: Promise.reject(new Error("The embedding model is not answering")), k: 5 })).rejects.toThrow(
      "The embedding model is not answering",
    );
  });

  it("answers several searches of one user at once alike, each listing or reusing a listing, and the next reuses one", async () => {
    await forgetListing(BOB);
    const embedding = await queryEmbedding(QUERY);
    const expected = (await rankEveryChunk(embedding)).filter((chunk) => bobsDocuments.has(chunk.documentId)).slice(0, 5);
    const results = await Promise.all(Array.from({ length: 4 }, () => retrieveChunks({ userSub: BOB, embedding, k: 5 })));
    for (const result of results) expect(result.chunks.map((c) => c.chunkId)).toEqual(expected.map((c) => c.chunkId));
    const next = await retrieveChunks({ userSub: BOB, embedding, k: 5 });
    expect(next.fgaQuestions.map((q) => [q.call, q.askedAt === undefined])).toEqual([
      ["list-objects", false],
      ["batch-check", true],
    ]);
    expect(next.chunks.map((c) => c.chunkId)).toEqual(expected.map((c) => c.chunkId));
  });

  it("lists ahead of a search (as the chat opens, or the model begins the call), and the search reuses it and checks what it returns", async () => {
    const DAVE = "auth0|dave";
    const daves = new Set<string>();
    for (const body of ["Dave's marketing budget, draft (v2.1).", "Dave's forecast for Q3: 12.5% up.", "Dave's parking notes."]) daves.add((await ingest(DAVE, "dave.md", body)).id);
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    await listAhead(DAVE);
    expect((await lastListing(DAVE, 1))?.current).toBe(true);
    const embedding = await queryEmbedding(QUERY);
    const result = await retrieveChunks({ userSub: DAVE, embedding, k: 2 });
    expect(list).toHaveBeenCalledTimes(1);
    const expected = (await rankEveryChunk(embedding)).filter((chunk) => daves.has(chunk.documentId)).slice(0, 2);
    expect(result.chunks.map((c) => c.chunkId)).toEqual(expected.map((c) => c.chunkId));
    expect(result.fgaQuestions.map((q) => [q.call, q.askedAt === undefined])).toEqual([
      ["list-objects", false],
      ["batch-check", true],
    ]);
    list.mockRestore();
  });

  it("asks no listing ahead while a search of the user's is listing, and one once that is 30 s old and gone", async () => {
    const HANK = "auth0|hank";
    const hanks = (await ingest(HANK, "hank.md", "Hank's budget memo: 2.5 pages, see https://example.com/budget (draft).")).id;
    const embedding = await queryEmbedding(QUERY);
    const real = performance.now.bind(performance);
    let skew = 0;
    try {
      vi.spyOn(performance, "now").mockImplementation(() => real() + skew);
      const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
      // FGA is slow to list for hank's search; a call of his that begins meanwhile asks for no second listing.
      let answer!: (documents: string[]) => void;
      list.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
      const searching = retrieveChunks({ userSub: HANK, embedding, k: 2 });
      await vi.waitFor(() => expect(list).toHaveBeenCalledTimes(1));
      listAhead(HANK);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(list).toHaveBeenCalledTimes(1);
      answer([hanks]);
      expect((await searching).chunks.map((c) => c.documentId)).toEqual([hanks]);
      // Within 30 s of that listing nothing is asked ahead, even with no listing left to reuse; after, it is, and his
      // search reuses it.
      await forgetListing(HANK);
      await listAhead(HANK);
      expect(list).toHaveBeenCalledTimes(1);
      skew = 31_000;
      await listAhead(HANK);
      expect(list).toHaveBeenCalledTimes(2);
      const reusing = await retrieveChunks({ userSub: HANK, embedding, k: 2 });
      expect(reusing.fgaQuestions.map((q) => [q.call, q.askedAt === undefined])).toEqual([
        ["list-objects", false],
        ["batch-check", true],
      ]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("keeps no search waiting for a listing asked ahead, and asks at most once in 30 s for calls that never run", async () => {
    const FRANK = "auth0|frank";
    const franks = (await ingest(FRANK, "frank.md", "Frank's notes on the quarterly budget forecast.")).id;
    const embedding = await queryEmbedding(QUERY);
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    // FGA stalls on the listing asked ahead; the search asks for its own, and answers.
    let answer!: (documents: string[]) => void;
    list.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    listAhead(FRANK);
    await vi.waitFor(() => expect(list).toHaveBeenCalledTimes(1));
    const result = await retrieveChunks({ userSub: FRANK, embedding, k: 5 });
    expect(result.chunks.map((c) => c.documentId)).toEqual([franks]);
    expect(list).toHaveBeenCalledTimes(2);
    answer([franks]);
    // A user whose calls begin and never run (nothing learnt of them): one listing ahead in 30 s, however many calls.
    const GRACE = "auth0|grace";
    for (let call = 0; call < 5; call++) listAhead(GRACE);
    await vi.waitFor(async () => expect(await lastListing(GRACE, 1)).toBeDefined());
    await forgetListing(GRACE);
    listAhead(GRACE);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(list.mock.calls.filter(([user]) => user === GRACE)).toHaveLength(1);
    list.mockRestore();
  });

  it("never returns a document unshared through FGA's own API after the listing ahead, however current it looks", async () => {
    const ERIN = "auth0|erin";
    const zebra = await ingest(ALICE, "zebra-crossings.md", "Zebra crossings near the office (Königstraße 12): the tally, 3.5 a day.");
    await fgaDocuments.share(zebra.id, { type: "user", sub: ERIN });
    listAhead(ERIN);
    await vi.waitFor(async () => expect((await lastListing(ERIN, 1))?.current).toBe(true));
    // Outside Delegate, so the permission revision does not move and the listing still looks current.
    await getFga().write({ deletes: [{ user: `user:${ERIN}`, relation: "viewer", object: `doc:${zebra.id}` }] });
    const result = await retrieveChunks({ userSub: ERIN, embedding: await queryEmbedding("zebra crossings tally"), k: 5 });
    expect(result.chunks).toEqual([]);
    expect(result.fgaQuestions).toEqual([
      expect.objectContaining({ call: "list-objects", allowed: [zebra.id], askedAt: expect.any(String) }),
      expect.objectContaining({ call: "batch-check", allowed: [], refused: [zebra.id] }),
      // The search listed again, and that listing no longer names it.
      expect.objectContaining({ call: "list-objects", allowedCount: 0 }),
    ]);
  });

  it("still finds every chunk of a fresh listing too large to rank exactly when a newer listing replaced it while it was ranked", async () => {
    const reader = "auth0|noor";
    const mine = [await ingest(reader, "noor-1.md", "Noor's budget (draft v0.9): 3,500.75 EUR."), await ingest(reader, "noor-2.md", "Noor's forecast — Q4.")];
    // More documents than EXACT_LIMIT, most with no chunks here: the walk finds too few, and the stored listing is scanned.
    const listed = [...mine.map((document) => document.id), ...Array.from({ length: 2_100 }, () => crypto.randomUUID())];
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments").mockResolvedValueOnce(listed);
    const scan = documentQueries.nearestListedChunks;
    const superseded = vi.spyOn(documentQueries, "nearestListedChunks").mockImplementationOnce(async (...args) => {
      // Another search of noor's, or a listing asked ahead on another instance, stores a newer listing first.
      await listingQueries.storeListing(reader, { revision: await readPermissionRevision(), listedAt: new Date(), documentIds: listed.slice(0, 1) });
      return scan(...args);
    });
    try {
      const result = await retrieveChunks({ userSub: reader, embedding: await queryEmbedding(QUERY), k: 5 });
      expect(superseded).toHaveBeenCalled();
      expect(new Set(result.chunks.map((chunk) => chunk.documentId))).toEqual(new Set(mine.map((document) => document.id)));
    } finally {
      list.mockRestore();
      superseded.mockRestore();
      await forgetListing(reader);
    }
  });

  it("bounds the ids it reports per question, and keeps the exact count", async () => {
    await forgetListing(BOB);
    const many = Array.from({ length: 120 }, () => crypto.randomUUID());
    const spy = vi.spyOn(fgaDocuments, "listViewableDocuments").mockResolvedValueOnce([...bobsDocuments, ...many]);
    const result = await retrieveChunks({ userSub: BOB, embedding: await queryEmbedding(QUERY), k: 5 });
    spy.mockRestore();
    await forgetListing(BOB);
    expect(result.fgaQuestions).toHaveLength(1);
    expect(result.fgaQuestions[0]!.allowedCount).toBe(bobsDocuments.size + 120);
    expect(result.fgaQuestions[0]!.allowed).toHaveLength(MAX_IDS_PER_QUESTION);
  });

  it("returns fewer only when fewer exist, and nothing for a user who may read nothing", async () => {
    const embedding = await queryEmbedding(QUERY);
    const authorized = (await rankEveryChunk(embedding)).filter((chunk) => bobsDocuments.has(chunk.documentId));
    const all = await retrieveChunks({ userSub: BOB, embedding, k: 50, forcePath: "index" });
    expect(all.chunks.map((c) => c.chunkId).sort()).toEqual(authorized.map((c) => c.chunkId).sort());
    const none = await retrieveChunks({ userSub: "auth0|nobody", embedding, k: 5 });
    expect(none.chunks).toEqual([]);
  });

  it("returns each passage as the document's own text, with its place in the document", async () => {
    const body = `\n# Pay\r\n\r\nSalaries rose 4.7% on 1.3.2026; see https://pay.example.com/q1?x=1 or ask hr@example.com.\n\n| Band | Pay |\n|---|---|\n| B2 | 61,500.00 EUR |\n\n${"Filler about the pay rise. ".repeat(60)}`;
    // A reader of their own, so no other test's documents change what this one finds.
    const reader = "auth0|pay-reader";
    const { id } = await ingest(reader, "pay.md", body);
    const result = await retrieveChunks({ userSub: reader, embedding: await queryEmbedding("salaries rose pay example"), k: 50, forcePath: "index" });
    const passages = result.chunks.filter((c) => c.documentId === id).sort((a, b) => a.ordinal - b.ordinal);
    expect(passages.length).toBeGreaterThan(1);
    expect(passages.map((p) => p.ordinal)).toEqual(passages.map((_, i) => i));
    for (const passage of passages) expect(body.slice(passage.startOffset!, passage.endOffset!)).toBe(passage.content);
    expect(passages[0]!.content).toContain("Salaries rose 4.7% on 1.3.2026; see https://pay.example.com/q1?x=1 or ask hr@example.com.");
    expect(passages[0]!.content).toContain("| B2 | 61,500.00 EUR |");
    expect(passages[0]!.startOffset).toBe(1);
  });

  it("embeds a large non-Latin document in requests within OpenAI's per-request token limit (the sandbox enforces it)", async () => {
    // 1.2 MB of CJK text: one embeddings request for all of it would carry ~1.2 million tokens (the limit is 300,000).
    const body = "年假为每年二十五天，请提前两周告知经理。".repeat(20_000);
    const { chunks } = await ingest("auth0|cjk-owner", "年假.md", body);
    expect(chunks).toBeGreaterThan(400);
    const [stored] = await harness.sql<{ n: number }[]>`select count(*)::int as n from document_chunks c join documents d on d.id = c.document_id where d.name = '年假.md'`;
    expect(stored!.n).toBe(chunks);
  });

  it("returns chunks stored before offsets existed, without offsets", async () => {
    const reader = "auth0|legacy-reader";
    const { id } = await ingest(reader, "legacy.md", "Legacy passage about the marketing budget.");
    await harness.sql`update document_chunks set start_offset = null, end_offset = null where document_id = ${id}`;
    const result = await retrieveChunks({ userSub: reader, embedding: await queryEmbedding("legacy passage marketing budget"), k: 1 });
    expect(result.chunks[0]).toMatchObject({ documentName: "legacy.md", ordinal: 0, startOffset: null, endOffset: null });
    await expect(harness.sql`update document_chunks set start_offset = 5, end_offset = null where document_id = ${id}`).rejects.toThrow(/offsets_check/);
  });

  it("stores nothing when the owner tuple cannot be written", async () => {
    const spy = vi.spyOn(fgaDocuments, "recordOwner").mockRejectedValueOnce(new fgaDocuments.FgaUnavailableError("down"));
    await expect(ingest(ALICE, "doomed.md", "This upload must leave no trace.")).rejects.toThrow(fgaDocuments.FgaUnavailableError);
    spy.mockRestore();
    expect(await harness.sql`select 1 from documents where name = 'doomed.md'`).toHaveLength(0);
    expect(await harness.sql`select 1 from document_chunks where content like '%leave no trace%'`).toHaveLength(0);
  });

  it("still stores nothing when the first attempt to remove the failed upload meets a connection the database closed", async () => {
    const fga = vi.spyOn(fgaDocuments, "recordOwner").mockRejectedValueOnce(new fgaDocuments.FgaUnavailableError("down"));
    const restarted = Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
    const removal = vi.spyOn(documentQueries, "deleteDocument").mockRejectedValueOnce(restarted);
    await expect(ingest(ALICE, "doomed twice.md", "This upload must leave no trace either.")).rejects.toThrow(fgaDocuments.FgaUnavailableError);
    expect(removal).toHaveBeenCalledTimes(2);
    fga.mockRestore();
    removal.mockRestore();
    expect(await harness.sql`select 1 from documents where name = 'doomed twice.md'`).toHaveLength(0);
    expect(await harness.sql`select 1 from document_chunks where content like '%no trace either%'`).toHaveLength(0);
  });
});

describe("a listing as FGA's changelog, read since, says of it", () => {
  it("stands as FGA's answer with no check, and gives way within FGA_CHANGES_TRUSTED_MS to a share or unshare made through FGA's own API", async () => {
    const IVY = "auth0|ivy";
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const memo = await ingest(ALICE, "Übersicht (Q3).md", "Travel budget: 1,250.50 EUR a head; see https://travel.example.com/policy?id=7 (draft) or ask ivy@example.com.");
    const rates = await ingest(ALICE, "per-diem.md", "Per diem for travel: 45.00 EUR a day, 60.00 EUR abroad (e.g. Zürich).");
    await fgaDocuments.share(memo.id, { type: "user", sub: IVY });
    // The share touches ivy: a listing asked within MARGIN_MS of it is not trusted, as FGA's clock may differ from ours.
    await pause(changeWatch.MARGIN_MS + 200);
    await listAhead(IVY);
    const embedding = await queryEmbedding("What is the travel budget per person?");
    const check = vi.spyOn(fgaDocuments, "canEach");
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    const documentsFound = async () => new Set((await retrieveChunks({ userSub: IVY, embedding, k: 3 })).chunks.map((chunk) => chunk.documentId));
    // (A search waits only 50 ms for a read under way; on a loaded machine the first may check instead.)
    const trusted = await vi.waitFor(async () => {
      const result = await retrieveChunks({ userSub: IVY, embedding, k: 3 });
      expect(result.fgaQuestions[0]!.changesReadAt).toBeDefined();
      return result;
    });
    expect(new Set(trusted.chunks.map((chunk) => chunk.documentId))).toEqual(new Set([memo.id]));
    expect(trusted.fgaQuestions).toEqual([expect.objectContaining({ call: "list-objects", askedAt: expect.any(String), changesReadAt: expect.any(String) })]);
    expect(list).not.toHaveBeenCalled();

    // Outside Delegate, so the permission revision does not move: only the changelog tells. A share is found, …
    await getFga().write({ writes: [{ user: `user:${IVY}`, relation: "viewer", object: `doc:${rates.id}` }] });
    await pause(getConfig().FGA_CHANGES_TRUSTED_MS + 100);
    await vi.waitFor(async () => expect(await documentsFound()).toEqual(new Set([memo.id, rates.id])));
    // … and an unshare is never returned again: the changelog shows it came after the listing, and the new listing
    // no longer names it.
    await getFga().write({ deletes: [{ user: `user:${IVY}`, relation: "viewer", object: `doc:${memo.id}` }] });
    await pause(getConfig().FGA_CHANGES_TRUSTED_MS + 100);
    const after = await retrieveChunks({ userSub: IVY, embedding, k: 3 });
    expect(new Set(after.chunks.map((chunk) => chunk.documentId))).toEqual(new Set([rates.id]));
    expect(after.fgaQuestions.at(-1)).toEqual(expect.objectContaining({ call: "list-objects", allowedCount: 1 }));
    expect(after.fgaQuestions.at(-1)).not.toHaveProperty("askedAt");
    check.mockRestore();
    list.mockRestore();
  }, 20_000);
});

describe("a listing FGA's changelog vouches for, and a change made meanwhile", () => {
  // The changelog says nothing changed (as it would, for a moment, on an instance whose last read came before the
  // unshare): only the permission revision, which Delegate moves at once, tells.
  const vouching = () => vi.spyOn(changeWatch, "changesSince").mockResolvedValue({ changed: false, readAt: new Date() });
  const passage = "Expense policy (rev. 3.2): taxis up to 40.00 EUR; see https://intranet.example.com/expenses?lang=de-CH";

  for (const forcePath of [undefined, "index"] as const) {
    it(`never ranks by the listing this instance knows once an unshare has moved the revision (${forcePath ?? "its own path"})`, async () => {
      const reader = `auth0|kim-${forcePath ?? "own"}`;
      const policy = await ingest(ALICE, "Spesen – Richtlinie.md", passage);
      await fgaDocuments.share(policy.id, { type: "user", sub: reader });
      const spy = vouching();
      try {
        const embedding = await queryEmbedding("How much can I spend on a taxi?");
        await listAhead(reader);
        const trusted = await retrieveChunks({ userSub: reader, embedding, k: 1, forcePath });
        expect(trusted.chunks.map((chunk) => chunk.documentId)).toEqual([policy.id]);
        expect(trusted.fgaQuestions).toEqual([expect.objectContaining({ call: "list-objects", changesReadAt: expect.any(String) })]);
        await fgaDocuments.unshare(policy.id, { type: "user", sub: reader });
        const after = await retrieveChunks({ userSub: reader, embedding, k: 1, forcePath });
        expect(after.chunks).toEqual([]);
      } finally {
        spy.mockRestore();
      }
    });
  }

  it("never ranks by a stored listing it did not know once an unshare moves the revision while the question is embedded", async () => {
    const reader = "auth0|lou";
    const policy = await ingest(ALICE, "expenses (copy).md", passage);
    await fgaDocuments.share(policy.id, { type: "user", sub: reader });
    const spy = vouching();
    // As on an instance that neither stored nor read the listing: the search reads the newest one.
    const unknown = vi.spyOn(viewableListings, "knownListing").mockReturnValue(undefined);
    try {
      await listAhead(reader);
      let answer!: (embedding: number[]) => void;
      const searching = retrieveChunks({ userSub: reader, embedding: new Promise<number[]>((resolve) => (answer = resolve)), k: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await fgaDocuments.unshare(policy.id, { type: "user", sub: reader });
      answer(await queryEmbedding("How much can I spend on a taxi?"));
      expect((await searching).chunks).toEqual([]);
    } finally {
      spy.mockRestore();
      unknown.mockRestore();
    }
  });
  it("asks the changelog again once the question is embedded: an unshare made through FGA's own API meanwhile is not trusted away", async () => {
    const reader = "auth0|mo";
    const policy = await ingest(ALICE, "expenses (mo).md", passage);
    await fgaDocuments.share(policy.id, { type: "user", sub: reader });
    await listAhead(reader);
    // The changelog tells of the unshare as soon as it is made, as a read after it would.
    let unshared = false;
    const spy = vi.spyOn(changeWatch, "changesSince").mockImplementation(async () => ({ changed: unshared, readAt: new Date() }));
    try {
      let answer!: (embedding: number[]) => void;
      const searching = retrieveChunks({ userSub: reader, embedding: new Promise<number[]>((resolve) => (answer = resolve)), k: 1 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await getFga().write({ deletes: [{ user: `user:${reader}`, relation: "viewer", object: `doc:${policy.id}` }] });
      unshared = true;
      answer(await queryEmbedding("How much can I spend on a taxi?"));
      expect((await searching).chunks).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  });
});
