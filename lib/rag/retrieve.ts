import "server-only";
import { embed } from "ai";
import { nearestChunksAmong, nearestChunksOverall, type ChunkMatch } from "@/db/queries/documents";
import { readPermissionRevision } from "@/db/queries/permission-revision";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { canEach } from "@/lib/fga/documents";
import { embeddingModel } from "@/lib/model";
import { forgetListing, lastListing, listViewable, type Listing } from "./viewable-listings";

/**
 * Permission-aware retrieval: the best `k` chunks among the documents the user may view — never fewer when k such
 * chunks exist, whatever other users store. FGA alone says which documents those are, and nothing reaches the model
 * that FGA did not allow at the time of the search:
 * - the candidates are the documents of the user's listing (one streamed ListObjects, uncapped), reused for their
 *   next searches while nothing has changed (viewable-listings.ts); a reused listing is only a guess at what may
 *   be ranked, so the documents of the chunks it yields are checked afresh (one batch-check of at most k, the
 *   tool's largest k being 20), and if FGA now refuses any of them, the search starts again from a new listing;
 * - the candidates are ranked one of two ways, chosen by how many chunks the user may read (thresholds measured by
 *   `npm run bench:rag`, see README.md): up to EXACT_LIMIT chunks (most users), every one of them is ranked exactly,
 *   so the authorized top k is exact; with more, the approximate (HNSW) ranking of all chunks is walked in growing
 *   windows, keeping the user's chunks, until k are found. This costs about one unfiltered index search when the
 *   user may read a fair share of everything. A walk that goes past the last window (rank 700), or that the index
 *   ends early, ranks exactly instead.
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
 * document ids (at most MAX_IDS_PER_QUESTION of them, with the exact count), never content. A listing reused from an
 * earlier search says when it was asked; a check says which documents it refused, if any.
 */
export interface FgaQuestion {
  call: "list-objects" | "batch-check";
  relation: "can_view";
  allowedCount: number;
  allowed: string[];
  askedAt?: string;
  refused?: string[];
}

export const MAX_IDS_PER_QUESTION = 50;

const question = (call: FgaQuestion["call"], allowed: string[], { askedAt, refused }: { askedAt?: Date; refused?: string[] } = {}): FgaQuestion => ({
  call,
  relation: "can_view",
  allowedCount: allowed.length,
  allowed: allowed.slice(0, MAX_IDS_PER_QUESTION),
  ...(askedAt && { askedAt: askedAt.toISOString() }),
  ...(refused && { refused: refused.slice(0, MAX_IDS_PER_QUESTION) }),
});

export async function retrieveChunks({
  userSub,
  embedding,
  k,
  forcePath,
}: {
  userSub: string;
  embedding: number[];
  k: number;
  /** Takes this path whatever the user may read, for tests and the benchmark; a walk may still fall back to exact. */
  forcePath?: Strategy;
}): Promise<RetrievalResult> {
  const exactLimit = forcePath === "exact" ? Infinity : forcePath === "index" ? 0 : EXACT_LIMIT;
  const result = ({ chunks, strategy }: Ranked, fgaQuestions: FgaQuestion[]): RetrievalResult => {
    // A forced path says nothing about which path this user's searches take.
    if (!forcePath) remember(userSub, strategy);
    return { chunks, strategy, fgaQuestions };
  };

  // Every question asked of FGA stays on record, a reused listing's and a refused check's included.
  const asked: FgaQuestion[] = [];
  const reused = lastListing(userSub);
  // The revision is read before ranking: anyone's upload or share moves it, and a ranking by a listing it outdated
  // would be work thrown away.
  if (reused && (await readPermissionRevision()) === reused.revision) {
    const ranked = await rank(reused, embedding, k, exactLimit);
    asked.push(question("list-objects", reused.documents, { askedAt: reused.listedAt }));
    const documents = [...new Set(ranked.chunks.map((chunk) => chunk.documentId))];
    if (documents.length === 0) return result(ranked, asked);
    const allowed = await canEach(userSub, "can_view", documents);
    const refused = documents.filter((_, i) => !allowed[i]);
    asked.push(question("batch-check", documents.filter((_, i) => allowed[i]), refused.length > 0 ? { refused } : {}));
    if (refused.length === 0) return result(ranked, asked);
  }
  if (reused) forgetListing(userSub);

  // For a user who walked the index last time, its first window is fetched while FGA lists their documents; it is
  // only ever filtered by that list. Unused (the user now reads few chunks, or FGA failed), it is dropped.
  const firstWindow = !forcePath && walkedLastTime.has(userSub) ? nearestChunksOverall(embedding, WINDOWS[0], 0) : undefined;
  firstWindow?.catch(() => {});
  const listing = await listViewable(userSub);
  asked.push(question("list-objects", listing.documents));
  return result(await rank(listing, embedding, k, exactLimit, firstWindow), asked);
}

interface Ranked {
  chunks: ChunkMatch[];
  strategy: Strategy;
}

/** The best k chunks of the listing's documents, exactly when they have at most `exactLimit` chunks. */
async function rank({ documents, viewable }: Listing, embedding: number[], k: number, exactLimit: number, firstWindow?: Promise<ChunkMatch[]>): Promise<Ranked> {
  if (documents.length === 0) return { chunks: [], strategy: "exact" };
  // Every stored document has at least one chunk, so more documents than the limit need no count.
  if (documents.length <= exactLimit) {
    const { readable, chunks } = await nearestChunksAmong(documents, embedding, k, exactLimit);
    if (readable <= exactLimit) return { chunks, strategy: "exact" };
  }
  const walked = await walkIndex(viewable, embedding, k, firstWindow);
  return walked ? { chunks: walked, strategy: "index" } : { chunks: (await nearestChunksAmong(documents, embedding, k)).chunks, strategy: "exact" };
}

/** The users whose last search walked the index (the most recent 10,000), as EXACT_LIMIT decided. */
const walkedLastTime = new Set<string>();
function remember(userSub: string, strategy: Strategy) {
  walkedLastTime.delete(userSub);
  if (strategy === "exact") return;
  walkedLastTime.add(userSub);
  if (walkedLastTime.size > 10_000) walkedLastTime.delete(walkedLastTime.values().next().value!);
}

/** The user's first k chunks in the index's ranking of all chunks, or null if the walk ends before it finds them. */
async function walkIndex(viewable: Set<string>, embedding: number[], k: number, firstWindow?: Promise<ChunkMatch[]>): Promise<ChunkMatch[] | null> {
  const found: ChunkMatch[] = [];
  let offset = 0;
  for (const window of WINDOWS) {
    const candidates = await (offset === 0 && firstWindow ? firstWindow : nearestChunksOverall(embedding, window, offset));
    for (const candidate of candidates) if (viewable.has(candidate.documentId) && found.push(candidate) === k) return found;
    if (candidates.length < window) return null;
    offset += window;
  }
  return null;
}

export async function searchDocuments({ userSub, query, k }: { userSub: string; query: string; k: number }) {
  const { embedding } = await embed({ model: embeddingModel(), value: query, dimensions: EMBEDDING_DIMENSIONS });
  return retrieveChunks({ userSub, embedding, k });
}
