import "server-only";
import { embed } from "ai";
import { nearestChunksIn, nearestChunksOverall, type ChunkMatch } from "@/db/queries/documents";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { listViewableDocuments, viewableAmong } from "@/lib/fga/documents";
import { embeddingModel } from "@/lib/model";

/**
 * Permission-aware retrieval: the best `k` chunks among the documents the user may view — never fewer when k
 * such chunks exist, whatever other users store. Two strategies, chosen by what is cheaper for this user
 * (measured by `npm run bench:rag`):
 * - few viewable documents (the usual case): ask FGA for the list (ListObjects) and rank only their chunks,
 *   exactly, inside the SQL query;
 * - many: walk the global ranking in growing windows and batch-check each window's documents, until k allowed
 *   chunks are found or the ranking is exhausted.
 * Either way nothing unauthorized is returned, so nothing unauthorized can reach the model.
 */
export const PREFILTER_LIMIT = 500;
const FIRST_WINDOW_FACTOR = 8;

export interface RetrievalResult {
  chunks: ChunkMatch[];
  strategy: "prefilter" | "overfetch";
  /** Every question retrieval asked FGA, with its answer, for the audit trail. */
  fgaQuestions: FgaQuestion[];
}

/**
 * One question to FGA, as the audit trail records it: which call, about which relation, and what it allowed —
 * document ids (at most MAX_IDS_PER_QUESTION of them, with the exact counts), never content. A search asks one
 * list-objects question, or a batch-check per window of the global ranking (a handful: the windows double).
 */
export interface FgaQuestion {
  call: "list-objects" | "batch-check";
  relation: "can_view";
  /** How many documents a batch-check asked about; a list-objects asks about every document. */
  asked?: number;
  allowedCount: number;
  /** The documents a batch-check was told no about. */
  deniedCount?: number;
  allowed: string[];
}

export const MAX_IDS_PER_QUESTION = 50;

const question = (call: FgaQuestion["call"], allowed: string[], asked?: number): FgaQuestion => ({
  call,
  relation: "can_view",
  ...(asked === undefined ? {} : { asked, deniedCount: asked - allowed.length }),
  allowedCount: allowed.length,
  allowed: allowed.slice(0, MAX_IDS_PER_QUESTION),
});

export async function retrieveChunks({
  userSub,
  embedding,
  k,
  prefilterLimit = PREFILTER_LIMIT,
}: {
  userSub: string;
  embedding: number[];
  k: number;
  prefilterLimit?: number;
}): Promise<RetrievalResult> {
  const viewable = await listViewableDocuments(userSub);
  const fgaQuestions = [question("list-objects", viewable)];
  if (viewable.length === 0) return { chunks: [], strategy: "prefilter", fgaQuestions };
  if (viewable.length <= prefilterLimit) return { chunks: await nearestChunksIn(viewable, embedding, k), strategy: "prefilter", fgaQuestions };
  return { chunks: await overFetch(userSub, embedding, k, fgaQuestions), strategy: "overfetch", fgaQuestions };
}

async function overFetch(userSub: string, embedding: number[], k: number, fgaQuestions: FgaQuestion[]): Promise<ChunkMatch[]> {
  const allowed: ChunkMatch[] = [];
  const decided = new Map<string, boolean>();
  let offset = 0;
  let window = k * FIRST_WINDOW_FACTOR;
  for (;;) {
    const candidates = await nearestChunksOverall(embedding, window, offset);
    const unknown = [...new Set(candidates.map((c) => c.documentId).filter((id) => !decided.has(id)))];
    const viewable = await viewableAmong(userSub, unknown);
    if (unknown.length > 0) fgaQuestions.push(question("batch-check", [...viewable], unknown.length));
    for (const id of unknown) decided.set(id, viewable.has(id));
    for (const candidate of candidates) {
      if (decided.get(candidate.documentId)) allowed.push(candidate);
      if (allowed.length === k) return allowed;
    }
    if (candidates.length < window) return allowed; // the ranking is exhausted: fewer than k exist
    offset += window;
    window *= 2;
  }
}

export async function searchDocuments({ userSub, query, k }: { userSub: string; query: string; k: number }) {
  const { embedding } = await embed({ model: embeddingModel(), value: query, dimensions: EMBEDDING_DIMENSIONS });
  return retrieveChunks({ userSub, embedding, k });
}
