import "server-only";
import { embedMany } from "ai";
import pMap from "p-map";
import { EMBEDDING_DIMENSIONS } from "@/db/schema";
import { embeddingModel } from "@/lib/model";

/**
 * What one embeddings request may carry (OpenAI API reference, "Create embeddings"): at most 2,048 inputs and 300,000
 * tokens summed over them. Tokens are counted as UTF-8 bytes, which no token is shorter than, so no request is
 * refused for its size, whatever the text. (The sandbox model refuses exactly what OpenAI would, and counts alike.)
 * One chunk (at most 3,000 bytes) is far below the 8,192 tokens one input may have.
 */
export const REQUEST_LIMITS = { inputs: 2_048, bytes: 300_000 };
/**
 * Requests in flight for one document. Four keep a single-threaded embedding service (the sandbox's) busy while this
 * side reads the answers, and stay far below OpenAI's requests-per-minute limits; tokens per minute, the limit a
 * large document meets first, do not depend on it.
 */
export const PARALLEL_REQUESTS = 4;

/** Consecutive runs of `values`, each within `limits`, in order. One value over the byte limit goes alone. */
export function requestBatches(values: string[], limits = REQUEST_LIMITS): string[][] {
  const batches: string[][] = [];
  let bytes = 0;
  for (const value of values) {
    const size = Buffer.byteLength(value);
    const last = batches.at(-1);
    if (last && last.length < limits.inputs && bytes + size <= limits.bytes) {
      last.push(value);
      bytes += size;
    } else {
      batches.push([value]);
      bytes = size;
    }
  }
  return batches;
}

/**
 * The embeddings of `values`, in order: requests sized to REQUEST_LIMITS, `parallel` of them in flight (a new one
 * starts as soon as one ends, so one slow answer does not hold the others up). The first request that fails (after
 * the SDK's retries) cancels the rest and is the error.
 */
export async function embedAll(values: string[], { parallel = PARALLEL_REQUESTS } = {}): Promise<number[][]> {
  const cancel = new AbortController();
  try {
    const results = await pMap(
      requestBatches(values),
      (batch) => embedMany({ model: embeddingModel(), values: batch, dimensions: EMBEDDING_DIMENSIONS, abortSignal: cancel.signal }),
      { concurrency: parallel },
    );
    return results.flatMap((result) => result.embeddings);
  } catch (error) {
    cancel.abort();
    throw error;
  }
}
