import "server-only";
import { embed } from "ai";
import { nearestChunksAmong, nearestChunksOverall, nearestListedChunks, type ChunkMatch, type DocumentScope } from "@/db/queries/documents";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { changesSince } from "@/lib/fga/change-watch";
import { canEach, FgaUnavailableError } from "@/lib/fga/documents";
import { logError } from "@/lib/log";
import { embeddingModel } from "@/lib/model";
import { keepRunning } from "@/lib/http/keep-running";
import { takeUpAudiences } from "./audiences";
import { indexLeftoverChunks } from "./chunk-indexing";
import { setRecent } from "./recent";
import { dropListing, knownListing, lastListing, listViewable, MAX_AGE_MS, type FreshListing, type Listing } from "./viewable-listings";

/**
 * Permission-aware retrieval: the best `k` chunks among the documents the user may view — never fewer when k such
 * chunks exist, whatever other users store. FGA alone says which documents those are: its listing of them (one
 * streamed ListObjects, uncapped), reused for the user's next searches while nothing has changed (viewable-listings.ts).
 * A reused listing stands as FGA's answer while this instance has read FGA's changelog since before it, less than a
 * second ago, with no change touching the user (lib/fga/change-watch.ts); otherwise it is only a guess at what may be
 * ranked, so the documents of the chunks it yields are checked afresh (one batch-check of at most k, the tool's
 * largest k being 20), and if FGA now refuses any of them, the search starts again from a new listing. So nothing
 * reaches the model that FGA did not allow at the time of the search, or, for a change made outside Delegate, at
 * most a second before it (README.md, Security model). The chunks are ranked one of two ways, chosen by how many the
 * user may read (thresholds measured by `npm run bench:rag`, see README.md):
 * - up to EXACT_LIMIT chunks (most users), every chunk of the documents in the user's listing is ranked exactly, so
 *   the authorized top k is exact;
 * - with more, a reused listing's documents are found by scanning HNSW indexes of the chunks' signs (their
 *   binary-quantized embeddings, db/schema.ts chunkSigns) for their chunks alone (the database holds the listing and
 *   filters the scans by it) and ranking what they find by the full embeddings: the graphs of the large audiences the
 *   listing holds most of (audiences.ts), and for its other documents the graph of all chunks, or their signs one by
 *   one when they are few,
 *   with the chunks of recent uploads not yet in the index (chunk-indexing.ts) ranked exactly beside it; a listing
 *   just asked of FGA, while it is being stored, by walking the ranking of all chunks in growing windows, keeping
 *   those of its documents. Should either end before it finds k, they are ranked exactly. Once a listing has found
 *   that the user reads this many, their searches with no listing to reuse walk the ranking of all chunks in growing
 *   windows instead, asking FGA about the documents in each window (batch-checks of 2k documents, then up to 50), for
 *   ten minutes, rather than list their thousands of documents again. A walk that goes past the last window (rank
 *   700), or whose ranking ends early, lists them after all.
 */
export const EXACT_LIMIT = 2_000;
/** Each window's size; they follow one another, so the walk covers ranks 1–700. Deeper, exact ranking is cheaper. */
const WINDOWS = [100, 200, 400] as const;

type Strategy = "exact" | "index";

export interface RetrievalResult {
  chunks: ChunkMatch[];
  strategy: Strategy;
  /** The questions retrieval asked FGA, with their answers, for the audit trail. */
  fgaQuestions: FgaQuestion[];
}

/**
 * One question to FGA, as the audit trail records it: which call, about which relation, and what it allowed —
 * document ids (at most MAX_IDS_PER_QUESTION of them, with the exact count), never content. A listing the search
 * reused (an earlier search's, or one asked as the model began a call) says when it was asked; the check of what it
 * yielded says which documents it refused, if any. The checks of an index walk without a listing are one question,
 * allowing the documents the walk returns: how many others it asked about, and so how many documents near the question
 * the user may not view, is not theirs to know.
 */
export interface FgaQuestion {
  call: "list-objects" | "batch-check";
  relation: "can_view";
  allowedCount: number;
  allowed: string[];
  askedAt?: string;
  /** For a reused listing trusted as FGA's answer: when FGA's changelog was read, showing no change touching the user since. */
  changesReadAt?: string;
  refused?: string[];
}

export const MAX_IDS_PER_QUESTION = 50;

const question = (
  call: FgaQuestion["call"],
  allowed: string[],
  {
    allowedCount = allowed.length,
    askedAt,
    changesReadAt,
    refused,
  }: { allowedCount?: number; askedAt?: Date; changesReadAt?: Date; refused?: string[] } = {},
): FgaQuestion => ({
  call,
  relation: "can_view",
  allowedCount,
  allowed: allowed.slice(0, MAX_IDS_PER_QUESTION),
  ...(askedAt && { askedAt: askedAt.toISOString() }),
  ...(changesReadAt && { changesReadAt: changesReadAt.toISOString() }),
  ...(refused && { refused: refused.slice(0, MAX_IDS_PER_QUESTION) }),
});

export async function retrieveChunks({
  userSub,
  embedding,
  k,
  forcePath,
}: {
  userSub: string;
  /**
   * The question's embedding, or the promise of it: what the user may read is looked up (or asked of FGA) while the
   * embedding model answers, as neither needs the other.
   */
  embedding: number[] | Promise<number[]>;
  k: number;
  /** Takes this path whatever the user may read, for tests and the benchmark; a walk may still fall back to exact. */
  forcePath?: Strategy;
}): Promise<RetrievalResult> {
  // Handled here, and thrown where it is awaited: a failed embedding must not go unhandled while FGA is asked.
  const embedded = Promise.resolve(embedding);
  embedded.catch(() => {});
  if (!(k >= 1)) return { chunks: [], strategy: "exact", fgaQuestions: [] };
  const exactLimit = forcePath === "exact" ? Infinity : forcePath === "index" ? 0 : EXACT_LIMIT;
  // Every question asked of FGA stays on record, a reused listing's and a refused check's included.
  const asked: FgaQuestion[] = [];
  const result = (ranked: Ranked, { byListing = true } = {}): RetrievalResult => {
    // A forced path says nothing about which path this user's searches take, and a walk without a listing does not
    // measure how much the user may read.
    if (!forcePath && byListing) remember(userSub, ranked.strategy);
    return { ...ranked, fgaQuestions: asked };
  };

  // The listing this instance last stored or read for the user, if FGA's changelog says nothing has changed for them
  // since, is ranked by without being read again: the ranking finds nothing should the permission revision have moved
  // meanwhile, and the search then goes the long way, as it does when the changelog cannot vouch for it.
  // The changelog is asked again once the ranking is done, so that its word stands for the moment the chunks are
  // handed over rather than for when the search began, however long the embedding took.
  const known = knownListing(userSub);
  if (known && known.documentCount > 0 && (await changesSince(userSub, known.listedAt))?.changed === false) {
    const ranked = await rank(known, await embedded, k, exactLimit, known.revision);
    const vouched = await changesSince(userSub, known.listedAt);
    if (vouched?.changed === false && ranked.chunks.length > 0) {
      asked.push(listed(known, { askedAt: known.listedAt, changesReadAt: vouched.readAt }));
      return result(ranked);
    }
  }

  const reused = await lastListing(userSub, MAX_IDS_PER_QUESTION);
  // Whether the revision moved is known before ranking: anyone's upload or share moves it, and a ranking by a listing
  // it outdated would be work thrown away. What FGA's changelog says of the listing is read beside the ranking, unless
  // the listing is too old to use without it.
  const watched = reused?.current ? changesSince(userSub, reused.listedAt) : undefined;
  if (reused?.current && (reused.young || (await watched)?.changed === false)) {
    // Ranked only while the revision stands, as it may move while the embedding is awaited.
    const ranked = await rank(reused, await embedded, k, exactLimit, reused.revision);
    const seen = await changesSince(userSub, reused.listedAt);
    // Unless a change for the user, made through FGA's own API, came since: then a new listing has it.
    if (!seen?.changed) {
      const changesReadAt = seen?.readAt;
      asked.push(listed(reused, { askedAt: reused.listedAt, changesReadAt }));
      const documents = [...new Set(ranked.chunks.map((chunk) => chunk.documentId))];
      if (reused.documentCount === 0 || (changesReadAt && documents.length > 0)) return result(ranked);
      // Nothing from a listing of some documents: it may have been dropped meanwhile by a search of the same user
      // whose check FGA contradicted, and ranking it found no rows. A new listing says whether nothing is really there.
      if (documents.length > 0) {
        const allowed = await viewableOf(userSub, documents);
        const refused = documents.filter((document) => !allowed.has(document));
        asked.push(question("batch-check", [...allowed], refused.length > 0 ? { refused } : {}));
        if (refused.length === 0) return result(ranked);
        await dropListing(userSub, reused);
      }
    }
  }

  // With no listing to reuse, a user whose recent listing found them to read a good share of everything walks the
  // index again, asking FGA about the documents in each window rather than listing all of theirs. Should the walk not
  // find k, the user may now read less, and the search lists.
  if (forcePath === "index" || (!forcePath && walksWithoutListing(userSub))) {
    const walked = await walkIndex(await embedded, k, (documents) => viewableOf(userSub, documents));
    asked.push(question("batch-check", [...new Set((walked ?? []).map((chunk) => chunk.documentId))]));
    if (walked) return result({ chunks: walked, strategy: "index" }, { byListing: false });
  }

  // A call of this user's that begins meanwhile does not ask for the same listing ahead.
  markNow(listedAt, userSub);
  const listing = await listViewable(userSub, MAX_IDS_PER_QUESTION);
  asked.push(listed(listing));
  const ranked = await rank(listing, await embedded, k, exactLimit);
  // Kept by the time the search answers, so the user's next search finds it.
  await keepListing(userSub, listing);
  return result(ranked);
}

/** When a listing was last asked ahead, or by a search, for each user (the most recent 10,000). */
const listedAt = new Map<string, number>();

/** Records the user as seen now, in a map of users by when (the most recent 10,000). */
const markNow = (users: Map<string, number>, userSub: string) => setRecent(users, userSub, performance.now());

/**
 * Asks FGA for the user's listing before they search: as the chat opens (app/(chat)/layout.tsx) and as the model
 * begins writing a search. It is stored like any listing, so a search that starts once it is stored reuses it, and,
 * with FGA's changelog read since (lib/fga/change-watch.ts), trusts it rather than checking what it returns: a reader of
 * thousands of documents then searches in about the time of an unfiltered search, rather than listing them or
 * walking the index (`npm run bench:rag`). A search that starts before it is stored does not wait for it, and lists
 * too. It is not asked when the user has a listing still in use, nor within MAX_AGE_MS of their last listing, asked
 * ahead or by a search, whatever came of it, so calls that begin and never run (an input the tool refuses, a turn
 * stopped) and pages opened again ask no more. Never rejects: a failure is logged (FGA's where it happens,
 * lib/fga/client.ts) and left to the search.
 */
export async function listAhead(userSub: string): Promise<void> {
  const last = listedAt.get(userSub);
  if (last !== undefined && performance.now() - last < MAX_AGE_MS) return;
  markNow(listedAt, userSub);
  try {
    const reused = await lastListing(userSub, MAX_IDS_PER_QUESTION);
    if (reused?.current && (reused.young || (await changesSince(userSub, reused.listedAt))?.changed === false)) return;
    await keepListing(userSub, await listViewable(userSub, MAX_IDS_PER_QUESTION));
  } catch (error) {
    if (!(error instanceof FgaUnavailableError)) logError("rag", "listing ahead failed", error);
  }
}

/**
 * Settles once a listing just asked of FGA is stored for the user's next searches; which audience graphs those scan
 * is decided after (audiences.ts), and they scan the graph of all chunks until it is.
 */
async function keepListing(userSub: string, listing: FreshListing) {
  const id = await listing.stored;
  if (id !== undefined) keepRunning(takeUpAudiences(userSub, id, EXACT_LIMIT));
}

interface Ranked {
  chunks: ChunkMatch[];
  strategy: Strategy;
}

const listed = (listing: Listing, options: { askedAt?: Date; changesReadAt?: Date } = {}) =>
  question("list-objects", listing.someDocuments, { allowedCount: listing.documentCount, ...options });

/**
 * The best k chunks of the listing's documents: exactly when they have at most `exactLimit` chunks, otherwise by the
 * index scanned for them alone (a stored listing) or walked in windows (one held in memory: just asked of FGA, and
 * being stored meanwhile, or too large to store), exactly again should that find fewer than k. With `whileRevision`, a
 * stored listing ranks nothing unless the permission revision still stands there.
 */
async function rank(listing: Listing | FreshListing, embedding: number[], k: number, exactLimit: number, whileRevision?: string): Promise<Ranked> {
  if (listing.documentCount === 0) return { chunks: [], strategy: "exact" };
  const scope = (id: number | undefined): DocumentScope => (id === undefined ? [...listing.viewable!] : { listingId: id, whileRevision });
  // Every stored document has at least one chunk, so more documents than the limit need no count.
  if (listing.documentCount <= exactLimit) {
    const { readable, chunks } = await nearestChunksAmong(scope(listing.id), embedding, k, exactLimit);
    if (readable <= exactLimit) return { chunks, strategy: "exact" };
  }
  let id = listing.id;
  let found: ChunkMatch[] | null = null;
  if (id === undefined) {
    found = await walkIndex(embedding, k, async () => listing.viewable!);
    // A walk that found too few, for a listing being stored: once it is, the index scanned for its chunks alone.
    if (!found && "stored" in listing) id = await listing.stored;
  }
  if (!found && id !== undefined) found = await nearestListedChunks({ listingId: id, whileRevision }, embedding, k, EXACT_LIMIT);
  if (found?.length === k) return { chunks: found, strategy: "index" };
  // A listing just asked of FGA is ranked by what it holds in memory: once stored, a newer one may have replaced it.
  return { chunks: (await nearestChunksAmong(listing.viewable ? [...listing.viewable] : scope(id), embedding, k)).chunks, strategy: "exact" };
}

/** Which of these documents the user may view, asked of FGA in one batch-check. */
async function viewableOf(userSub: string, documents: string[]): Promise<ReadonlySet<string>> {
  const answers = await canEach(userSub, "can_view", documents);
  return new Set(documents.filter((_, i) => answers[i]));
}

/**
 * How long a listing's finding that the user walks stands: after it, the user lists again, as they may now read few
 * enough chunks to rank exactly (a walk that still finds k would not notice).
 */
const WALKER_MAX_AGE_MS = 10 * 60_000;
/** The users whose last listing found them to walk the index (the most recent 10,000), with when it did. */
const walkers = new Map<string, number>();
function remember(userSub: string, strategy: Strategy) {
  if (strategy === "exact") walkers.delete(userSub);
  else markNow(walkers, userSub);
}
const walksWithoutListing = (userSub: string) => performance.now() - (walkers.get(userSub) ?? -Infinity) <= WALKER_MAX_AGE_MS;

/** The most documents asked about at once in a walk: one batch-check request (FGA takes at most 50 checks in one). */
const ASKED_AT_ONCE = 50;

/**
 * The user's first k chunks in the ranking of all chunks (the index's, with the chunks not yet in it merged in), or
 * null if the walk ends before it finds them.
 * `viewable` answers which of some documents the user may view. It is asked about each document once, in the order
 * of their best chunks, until k chunks are found: about 2k documents first, then twice as many each time up to
 * ASKED_AT_ONCE, as FGA's work grows with every document checked (about 0.2 ms each in the sandbox) and a user who
 * walks may read a good share of everything, so a few documents often suffice. A chunk met twice (the ranking moved
 * between windows, as someone stored or removed a document, or a pass moved it into the index) counts once.
 */
async function walkIndex(embedding: number[], k: number, viewable: (documents: string[]) => Promise<ReadonlySet<string>>): Promise<ChunkMatch[] | null> {
  indexLeftoverChunks();
  const found: ChunkMatch[] = [];
  const decided = new Map<string, boolean>();
  const seen = new Set<string>();
  let atOnce = Math.min(ASKED_AT_ONCE, 2 * k);
  let offset = 0;
  for (const window of WINDOWS) {
    const candidates = await nearestChunksOverall(embedding, window, offset);
    for (let next = 0; next < candidates.length; ) {
      const undecided = [...new Set(candidates.slice(next).map((candidate) => candidate.documentId))].filter((document) => !decided.has(document)).slice(0, atOnce);
      if (undecided.length > 0) {
        atOnce = Math.min(ASKED_AT_ONCE, 2 * atOnce);
        const allowed = await viewable(undecided);
        for (const document of undecided) decided.set(document, allowed.has(document));
      }
      for (; next < candidates.length && decided.has(candidates[next]!.documentId); next++) {
        const candidate = candidates[next]!;
        if (seen.has(candidate.chunkId)) continue;
        seen.add(candidate.chunkId);
        if (decided.get(candidate.documentId) && found.push(candidate) === k) return found;
      }
    }
    if (candidates.length < window) return null;
    offset += window;
  }
  return null;
}

export async function searchDocuments({ userSub, query, k }: { userSub: string; query: string; k: number }) {
  const embedding = embed({ model: embeddingModel(), value: query, dimensions: EMBEDDING_DIMENSIONS }).then((embedded) => embedded.embedding);
  return retrieveChunks({ userSub, embedding, k });
}
