import "server-only";
import { indexChunks } from "@/db/queries/documents";
import { keepRunning } from "@/lib/http/keep-running";
import { logError } from "@/lib/log";

/**
 * Chunks added to the HNSW index per statement. PGlite has one backend, so every other query waits behind the
 * statement running: ten rows take about 0.2 s there (pgvector inserts into its graph in WebAssembly), and about 60 ms
 * on PostgreSQL.
 */
const ROWS_PER_STATEMENT = 10;

let pass: Promise<void> | null = null;
let requested = false;

/**
 * Adds every chunk of a stored document that is not in the HNSW index yet (an upload stores its chunks outside it,
 * db/queries/documents.ts) to it, resolving when none is left. Until then those chunks are found by an exact scan,
 * which grows with their number. One pass per instance: a call while one runs makes it look again once it has found
 * none, so rows stored meanwhile are not left behind. A failure is logged and ends the pass; the rows stay searchable
 * and the next pass adds them.
 */
export function indexPendingChunks(): Promise<void> {
  requested = true;
  pass ??= (async () => {
    try {
      while (requested) {
        requested = false;
        while ((await indexChunks(ROWS_PER_STATEMENT)) > 0);
      }
    } catch (error) {
      logError("documents", "adding chunks to the search index failed", error);
    } finally {
      pass = null;
    }
  })();
  return pass;
}

/** Starts a pass that the platform lets finish after the response (on Vercel, until the route's maxDuration). */
export function startIndexingPendingChunks() {
  keepRunning(indexPendingChunks());
}

const LEFTOVERS_CHECKED_EVERY_MS = 60_000;
let leftoversChecked = -Infinity;

/**
 * For rankings that scan the chunks not yet indexed: a pass cut short (its instance stopped, or the route's time ran
 * out) leaves some, and nothing else would start a pass before the next upload. At most once a minute per instance;
 * when none is left, that costs one look into an empty index.
 */
export function indexLeftoverChunks() {
  const now = performance.now();
  if (now - leftoversChecked < LEFTOVERS_CHECKED_EVERY_MS) return;
  leftoversChecked = now;
  startIndexingPendingChunks();
}
