import "server-only";
import type { InferUIMessageChunk } from "ai";
import { appendStreamChunks, finishChatStream, isStopRequested, readStreamChunks } from "@/db/queries/chat-streams";
import type { ChatMessage } from "@/lib/ai/types";
import { keepRunning } from "@/lib/http/keep-running";
import { logError } from "@/lib/log";

type Chunk = InferUIMessageChunk<ChatMessage>;

/**
 * How often a resuming reader looks for new chunks, and the generating instance for a Stop. Polling, not
 * LISTEN/NOTIFY: PgBouncer in transaction mode (how serverless deployments reach Postgres) does not carry LISTEN,
 * and a quarter second is below what a reader of a streamed answer notices.
 */
const POLL_INTERVAL_MS = 250;

/**
 * How long a chunk waits to be written with those that follow it. Below the poll interval, so a resuming reader sees
 * no difference; a reply then takes a write per tenth of a second rather than one per token.
 */
const WRITE_INTERVAL_MS = 100;

/**
 * How long the browser's copy waits, once the reply has ended, for the stream to be recorded as finished. Normally a
 * few milliseconds; bounded so that a database gone away does not hold the end of a reply the user is reading.
 */
const FINISH_WAIT_MS = 2_000;

/**
 * Writes a reply's chunks to the database as they come, so that any instance can replay them, and ends the turn
 * when the user's Stop is recorded. The stream's row is written while the agent starts, and the first chunk is passed
 * on once it exists, as the browser's Stop needs it (components/chat/chat.tsx); a stream whose row could not be
 * written (the database went away since the turn began) is only passed on: it cannot be resumed or stopped elsewhere.
 * Reads the reply to its end whatever happens to the browser's request, and asks
 * the platform to keep the function alive until then (Next's `after`; on Vercel up to the route's maxDuration).
 * Returns the browser's copy, which closes once the stream is recorded as finished: a reload after the browser saw
 * the end finds nothing left to resume.
 */
export function recordStream({ streamId, chunks, stop }: { streamId: Promise<string>; chunks: ReadableStream<Chunk>; stop: AbortController }): ReadableStream<Chunk> {
  // Null once the browser went away or its copy was closed: the reply goes on, to the database only.
  let browser: ReadableStreamDefaultController<Chunk> | null = null;
  const copy = new ReadableStream<Chunk>({
    start: (controller) => void (browser = controller),
    cancel: () => void (browser = null),
  });
  const closeCopy = () => {
    browser?.close();
    browser = null;
  };
  keepRunning(record({ streamId, chunks, stop, forward: (chunk) => browser?.enqueue(chunk), ended: closeCopy }).finally(closeCopy));
  return copy;
}

async function record({
  streamId,
  chunks,
  stop,
  forward,
  ended,
}: {
  streamId: Promise<string>;
  chunks: ReadableStream<Chunk>;
  stop: AbortController;
  forward: (chunk: Chunk) => void;
  /** Called FINISH_WAIT_MS after the reply ended if the stream is not recorded as finished by then. */
  ended: () => void;
}) {
  // Before the first chunk is passed on: the browser's Stop needs the stream's row.
  const id = await streamId.catch((error: unknown) => {
    logError("chat", "stream not recorded", error);
    return null;
  });
  let running = true;
  // One look at a time: with the database gone, looks would otherwise pile up behind its connection timeout.
  const watchForStop = async (id: string) => {
    while (running && !stop.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      try {
        if (running && (await isStopRequested({ streamId: id }))) stop.abort();
      } catch (error) {
        logError("chat", "stop flag not read", error);
      }
    }
  };
  if (id !== null) void watchForStop(id);
  // A write every WRITE_INTERVAL_MS at most, one at a time, each taking every chunk that arrived meanwhile; what is left
  // at the end goes with the finish.
  let pending: Chunk[] = [];
  let nextWrite: ReturnType<typeof setTimeout> | undefined;
  let written = 0;
  let writing = Promise.resolve();
  let writable = id !== null;
  const flush = () => {
    writing = writing.then(async () => {
      if (id === null || !writable || pending.length === 0) return;
      const batch = pending;
      pending = [];
      try {
        await appendStreamChunks({ streamId: id, from: written, chunks: batch });
        written += batch.length;
      } catch (error) {
        // The reply itself goes on (and is stored, or the user told it is not); only resuming it is lost.
        logError("chat", "stream chunks not stored", error);
        writable = false;
      }
    });
  };
  let endWait: ReturnType<typeof setTimeout> | undefined;
  try {
    const reader = chunks.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      forward(read.value);
      if (!writable) continue;
      pending.push(read.value);
      nextWrite ??= setTimeout(() => {
        nextWrite = undefined;
        flush();
      }, WRITE_INTERVAL_MS);
    }
    running = false;
    clearTimeout(nextWrite);
    endWait = setTimeout(ended, FINISH_WAIT_MS);
    await writing;
    // Finished even when chunks went missing: readers stop waiting, and a reload shows the stored reply.
    if (id !== null)
      await finishChatStream({ streamId: id, from: written, chunks: writable ? pending : [] }).catch((error: unknown) => {
        logError("chat", "stream chunks not stored", error);
        return finishChatStream({ streamId: id, from: written, chunks: [] });
      });
  } catch (error) {
    logError("chat", "stream not finished", error);
  } finally {
    running = false;
    clearTimeout(nextWrite);
    clearTimeout(endWait);
  }
}

/** A stream's chunks from the first, then each new one as it is stored, until the stream has finished. */
export function replayStream(streamId: string): ReadableStream<Chunk> {
  let last = -1;
  let cancelled = false;
  return new ReadableStream<Chunk>({
    async pull(controller) {
      while (!cancelled) {
        const { chunks, ended } = await readStreamChunks({ streamId, after: last });
        for (const { sequence, chunk } of chunks) {
          controller.enqueue(chunk as Chunk);
          last = sequence;
        }
        if (chunks.length > 0) return;
        if (ended) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
      }
    },
    cancel() {
      cancelled = true;
    },
  });
}
