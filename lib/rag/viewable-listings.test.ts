import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import * as documentQueries from "@/db/queries/documents";
import * as listingQueries from "@/db/queries/viewable-listings";
import { sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { movePermissionRevision, readPermissionRevision } from "@/db/queries/permission-revision";
import * as changeWatch from "@/lib/fga/change-watch";
import { getFga } from "@/lib/fga/client";
import * as fgaDocuments from "@/lib/fga/documents";
import { FgaUnavailableError } from "@/lib/fga/documents";
import { setUpSandboxHarness } from "@/tests/harness-setup";
import { SyntheticEmbeddings } from "@/tests/synthetic-embeddings";
import { retrieveChunks } from "./retrieve";
import { forgetListing, lastListing, listViewable, MAX_AGE_MS, MAX_STORED_DOCUMENTS } from "./viewable-listings";

// When a search may rank by the listing of an earlier one, and that nothing the user may no longer view is returned
// whichever way a permission changed: through Delegate, through FGA's own API, or on another server instance.
const harness = setUpSandboxHarness();
const corpus = new SyntheticEmbeddings(11, 8);
const K = 3;
const OWNER = "listings|owner";
const READER = "listings|reader";
const topic = corpus.document();
const question = () => Array.from(corpus.chunk(topic));
/** The owner's documents, all about one topic and none shared yet. */
const documents: string[] = [];

beforeAll(async () => {
  for (let d = 0; d < 6; d++) {
    const id = crypto.randomUUID();
    await harness.sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content) values (${id}, ${OWNER}, ${`doc ${d} (Ünïcode, 1.5%).md`}, 'text/markdown', 1, '\\x78')`;
    for (let c = 0; c < 2; c++) {
      await harness.sql`insert into document_chunks (document_id, ordinal, content, embedding) values (${id}, ${c}, ${`chunk ${c}`}, ${`[${corpus.chunk(topic).join(",")}]`}::vector)`;
    }
    await fgaDocuments.recordOwner(OWNER, id);
    documents.push(id);
  }
});

// A reused listing here is the guess retrieval checks, as when FGA's changelog has not been read since it: what the
// changelog says is tested in retrieve.test.ts, and would otherwise depend on how long ago these tests' shares were.
beforeEach(() => {
  vi.spyOn(changeWatch, "changesSince").mockResolvedValue(undefined);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await forgetListing(READER);
});

const search = (userSub = READER) => retrieveChunks({ userSub, embedding: question(), k: K });
const documentsOf = (result: Awaited<ReturnType<typeof search>>) => new Set(result.chunks.map((chunk) => chunk.documentId));
const calls = (result: Awaited<ReturnType<typeof search>>) => result.fgaQuestions.map((q) => q.call);

describe("reusing a user's listing of viewable documents", () => {
  it("ranks the next search by the listing, and checks the documents it returns", async () => {
    await fgaDocuments.share(documents[0]!, { type: "user", sub: READER });
    const first = await search();
    expect(calls(first)).toEqual(["list-objects"]);
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    const second = await search();
    expect(list).not.toHaveBeenCalled();
    expect(calls(second)).toEqual(["list-objects", "batch-check"]);
    expect(second.fgaQuestions[1]!.allowed).toEqual([documents[0]]);
    expect(second.chunks).toHaveLength(2);
    await fgaDocuments.unshare(documents[0]!, { type: "user", sub: READER });
  });

  it("answers a search whose listing could not be kept, and lists again at the next one", async () => {
    await fgaDocuments.share(documents[2]!, { type: "user", sub: READER });
    try {
      vi.spyOn(listingQueries, "storeListing").mockRejectedValueOnce(new Error("write failed"));
      const unkept = await search();
      expect([...documentsOf(unkept)]).toEqual([documents[2]]);
      expect(calls(unkept)).toEqual(["list-objects"]);
      expect(calls(await search())).toEqual(["list-objects"]);
      expect(calls(await search())).toEqual(["list-objects", "batch-check"]);
    } finally {
      await fgaDocuments.unshare(documents[2]!, { type: "user", sub: READER });
    }
  });

  it("lists afresh when the listing it reuses is dropped meanwhile by another search of the same user", async () => {
    await fgaDocuments.share(documents[2]!, { type: "user", sub: READER });
    try {
      await search();
      const reused = await lastListing(READER, K);
      // Read by this search, then dropped by another whose check FGA contradicted, before this one ranks by it.
      vi.spyOn(listingQueries, "newestListing").mockResolvedValueOnce(reused);
      await forgetListing(READER);
      const result = await search();
      expect([...documentsOf(result)]).toEqual([documents[2]]);
      expect(calls(result)).toEqual(["list-objects", "list-objects"]);
    } finally {
      await fgaDocuments.unshare(documents[2]!, { type: "user", sub: READER });
    }
  });

  it("sees a share or unshare made through Delegate at the very next search", async () => {
    expect(documentsOf(await search()).size).toBe(0);
    await fgaDocuments.share(documents[1]!, { type: "user", sub: READER });
    const afterShare = await search();
    expect([...documentsOf(afterShare)]).toEqual([documents[1]]);
    expect(calls(afterShare)).toEqual(["list-objects"]);
    await fgaDocuments.unshare(documents[1]!, { type: "user", sub: READER });
    const afterUnshare = await search();
    expect(afterUnshare.chunks).toEqual([]);
    expect(calls(afterUnshare)).toEqual(["list-objects"]);
  });

  it("lists afresh when another server instance moved the revision, without ranking by the outdated listing", async () => {
    await fgaDocuments.share(documents[5]!, { type: "user", sub: READER });
    try {
      await search();
      await movePermissionRevision();
      const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
      const ranked = vi.spyOn(documentQueries, "nearestChunksAmong");
      expect(calls(await search())).toEqual(["list-objects"]);
      expect(list).toHaveBeenCalledTimes(1);
      expect(ranked).toHaveBeenCalledTimes(1);
    } finally {
      await fgaDocuments.unshare(documents[5]!, { type: "user", sub: READER });
    }
  });

  it("moves the revision once for a deleted document shared many times, and also when FGA fails part-way", async () => {
    const sharedWidely = async () => {
      const id = crypto.randomUUID();
      await fgaDocuments.recordOwner(OWNER, id);
      const viewers = Array.from({ length: 120 }, (_, i) => ({ user: `user:listings|viewer-${i}.ü@example.com`, relation: "viewer", object: `doc:${id}` }));
      for (let i = 0; i < viewers.length; i += 100) await getFga().writeTuples(viewers.slice(i, i + 100));
      return id;
    };
    const moves = async (change: () => Promise<unknown>) => {
      const before = BigInt(await readPermissionRevision());
      await change();
      return BigInt(await readPermissionRevision()) - before;
    };

    const forgotten = await sharedWidely();
    expect(await moves(() => fgaDocuments.forgetDocument(forgotten))).toBe(1n);
    expect(await fgaDocuments.listShares(forgotten)).toEqual([]);

    // The first of three writes deletes 50 tuples, then FGA fails: those are gone, so the revision moves all the same.
    const halfForgotten = await sharedWidely();
    const fga = getFga();
    const write = fga.write.bind(fga);
    let writes = 0;
    vi.spyOn(fga, "write").mockImplementation((...args) => (++writes === 2 ? Promise.reject(new Error("FGA went away")) : write(...args)));
    expect(await moves(() => expect(fgaDocuments.forgetDocument(halfForgotten)).rejects.toThrow(FgaUnavailableError))).toBe(1n);
    expect(writes).toBe(2);
    vi.restoreAllMocks();
    const left = (await fgaDocuments.listShares(halfForgotten)).length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(120);
  });

  it("records a reused listing that found nothing without a check it did not ask, and when the listing was asked", async () => {
    const started = new Date();
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    // FGA slow to answer: the listing is dated when it was asked, not when the answer ended.
    list.mockImplementationOnce(async (userSub) => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      list.mockRestore();
      return fgaDocuments.listViewableDocuments(userSub);
    });
    await search();
    const batchCheck = vi.spyOn(getFga(), "batchCheck");
    const again = await search();
    expect(again.chunks).toEqual([]);
    expect(again.fgaQuestions).toEqual([{ call: "list-objects", relation: "can_view", allowedCount: 0, allowed: [], askedAt: expect.any(String) }]);
    expect(batchCheck).not.toHaveBeenCalled();
    expect(Date.parse(again.fgaQuestions[0]!.askedAt!) - started.getTime()).toBeLessThan(1_000);
  });

  it("never returns a document unshared through FGA's own API, though the listing holds it", async () => {
    const tuple = { user: `user:${READER}`, relation: "viewer", object: `doc:${documents[2]}` };
    await getFga().writeTuples([tuple]);
    await forgetListing(READER);
    expect([...documentsOf(await search())]).toEqual([documents[2]]);
    await getFga().deleteTuples([tuple]);
    // The revision did not move, so the listing is reused; the check refuses its document, and the search lists again.
    expect((await lastListing(READER, K))!.someDocuments).toEqual([documents[2]]);
    const after = await search();
    expect(after.chunks).toEqual([]);
    // On record: the reused listing, the check that refused its document, and the new listing.
    expect(calls(after)).toEqual(["list-objects", "batch-check", "list-objects"]);
    expect(after.fgaQuestions[1]).toEqual({ call: "batch-check", relation: "can_view", allowedCount: 0, allowed: [], refused: [documents[2]] });
    expect(after.fgaQuestions[2]!.allowedCount).toBe(0);
  });

  it("finds a document shared through FGA's own API once the listing is older than MAX_AGE_MS", async () => {
    expect((await search()).chunks).toEqual([]);
    const tuple = { user: `user:${READER}`, relation: "viewer", object: `doc:${documents[3]}` };
    await getFga().writeTuples([tuple]);
    // Ages are the database's, which every server instance shares: the listing is made older there.
    const age = (ms: number) => harness.sql`update viewable_listings set listed_at = listed_at - make_interval(secs => ${ms / 1000}) where user_id = ${READER}`;
    try {
      // Within MAX_AGE_MS the listing stands, as a cached check answer would: the new document is not yet a candidate.
      await age(MAX_AGE_MS - 2_000);
      expect((await search()).chunks).toEqual([]);
      await age(3_000);
      expect([...documentsOf(await search())]).toEqual([documents[3]]);
    } finally {
      await getFga().deleteTuples([tuple]);
    }
  });

  it("fails closed when FGA cannot check what a reused listing found", async () => {
    await fgaDocuments.share(documents[4]!, { type: "user", sub: READER });
    try {
      await search();
      vi.spyOn(fgaDocuments, "canEach").mockRejectedValueOnce(new FgaUnavailableError("down"));
      await expect(search()).rejects.toThrow(FgaUnavailableError);
    } finally {
      await fgaDocuments.unshare(documents[4]!, { type: "user", sub: READER });
    }
  });

  it("dates a listing before FGA was asked, however long storing it waits for a connection", async () => {
    let askedAt!: Date;
    vi.spyOn(fgaDocuments, "listViewableDocuments").mockImplementationOnce(async () => {
      askedAt = (await harness.sql<{ at: Date }[]>`select clock_timestamp() as at`)[0]!.at;
      // Every connection of the app's pool busy for a while, as under load: the listing is written after.
      void Promise.all(Array.from({ length: 6 }, () => getDb().execute(sql`select pg_sleep(0.4)`)));
      return [documents[0]!];
    });
    const listing = await listViewable("listings|late", K);
    const id = await listing.stored;
    const [row] = await harness.sql<{ listed_at: Date; stored_at: Date }[]>`select listed_at, stored_at from viewable_listings where id = ${id!}`;
    expect(row!.stored_at.getTime() - askedAt.getTime()).toBeGreaterThan(300);
    // Dated later, a change made in between would pass for one the listing has (lib/fga/change-watch.ts).
    expect(row!.listed_at.getTime()).toBeLessThanOrEqual(askedAt.getTime());
    expect(listing.listedAt.getTime()).toBeLessThanOrEqual(askedAt.getTime());
    await forgetListing("listings|late");
  });

  it("stores listings of up to MAX_STORED_DOCUMENTS documents, answers larger ones without keeping them, and sweeps old ones", async () => {
    const ids = (n: number) => Array.from({ length: n }, () => crypto.randomUUID());
    const list = vi.spyOn(fgaDocuments, "listViewableDocuments");
    // FGA may hold object ids that name no stored document, and may list one twice.
    const listed = [...ids(2_500), "not-a-uuid", "9f1c'); drop table documents; --"];
    list.mockResolvedValueOnce([...listed, listed[0]!]);
    const big = await listViewable("listings|big", K);
    expect(big.documentCount).toBe(2_501);
    const bigId = await big.stored;
    const [counted] = await harness.sql<{ stored: number }[]>`select count(*)::int as stored from viewable_listing_documents where listing_id = ${bigId!}`;
    expect(counted!.stored).toBe(2_500);
    expect(await lastListing("listings|big", K)).toMatchObject({ id: bigId, documentCount: 2_501, current: true });

    list.mockResolvedValueOnce(ids(MAX_STORED_DOCUMENTS + 1));
    const huge = await listViewable("listings|huge", K);
    expect(huge).toMatchObject({ id: undefined, documentCount: MAX_STORED_DOCUMENTS + 1 });
    expect(await huge.stored).toBeUndefined();
    expect(huge.viewable!.size).toBe(MAX_STORED_DOCUMENTS + 1);
    expect(await lastListing("listings|huge", K)).toBeUndefined();

    // A listing stored 31 minutes ago is swept, with its documents, after the next one is made; one that FGA took
    // that long to answer, stored just now, is not: a search is about to rank by it.
    list.mockResolvedValueOnce(ids(3));
    const slowId = await (await listViewable("listings|slow", K)).stored;
    await harness.sql`update viewable_listings set stored_at = stored_at - interval '31 minutes', listed_at = listed_at - interval '31 minutes' where id = ${bigId!}`;
    await harness.sql`update viewable_listings set listed_at = listed_at - interval '31 minutes' where id = ${slowId!}`;
    list.mockResolvedValueOnce([]);
    await (await listViewable("listings|other", K)).stored;
    await vi.waitFor(async () => {
      const [counted] = await harness.sql<{ left: number }[]>`select count(*)::int as left from viewable_listing_documents where listing_id = ${bigId!}`;
      expect(counted!.left).toBe(0);
    });
    const [kept] = await harness.sql<{ left: number }[]>`select count(*)::int as left from viewable_listing_documents where listing_id = ${slowId!}`;
    expect(kept!.left).toBe(3);
    await Promise.all(["listings|other", "listings|slow"].map(forgetListing));
  });
});
