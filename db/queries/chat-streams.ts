import "server-only";
import { and, asc, desc, eq, gt, gte, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { getDb, prepared } from "../client";
import { chats, chatStreamChunks, chatStreams } from "../schema";
import { storable } from "../storable";

/**
 * How long a stream can be running: past this, an unfinished stream belongs to an instance that died mid-turn
 * (longer than any platform lets the chat function run), and nobody should wait for it.
 */
export const STREAM_LIFETIME_MS = 15 * 60_000;
/** Finished streams are kept this long, for a reader that was part-way through replaying one when it ended. */
const FINISHED_RETENTION_MS = 5 * 60_000;

/** How often an instance drops what is no longer resumable: a sweep per turn would cost every turn a statement. */
const SWEEP_INTERVAL_MS = 60_000;
let lastSweep = 0;

/**
 * Starts recording a chat's reply; at most once a minute also drops what is no longer resumable, so the tables hold
 * only recent streams. Both at once, as the sweep never matches the stream it starts (that one began after both of
 * its bounds).
 */
export async function startChatStream({ chatId }: { chatId: string }): Promise<string> {
  const id = crypto.randomUUID();
  const now = Date.now();
  const sweep = now - lastSweep >= SWEEP_INTERVAL_MS;
  if (sweep) lastSweep = now;
  await Promise.all([
    // A failed sweep is tried again by the next stream; it does not fail this one, whose row may already be written.
    sweep &&
      prepared(
        getDb()
          .delete(chatStreams)
          .where(
            or(
              lt(chatStreams.startedAt, new Date(now - STREAM_LIFETIME_MS)),
              lt(chatStreams.finishedAt, new Date(now - FINISHED_RETENTION_MS)),
            ),
          ),
      ).catch(() => void (lastSweep = 0)),
    prepared(getDb().insert(chatStreams).values({ id, chatId })),
  ]);
  return id;
}

/** Chunks as rows, numbered on from `from`. */
const chunkRows = (streamId: string, from: number, chunks: unknown[]) => storable(chunks).map((chunk, index) => ({ streamId, sequence: from + index, chunk }));

export async function appendStreamChunks({ streamId, from, chunks }: { streamId: string; from: number; chunks: unknown[] }) {
  if (chunks.length === 0) return;
  await prepared(getDb().insert(chatStreamChunks).values(chunkRows(streamId, from, chunks)));
}

/** Writes the stream's last chunks, if any, and marks it finished, in one statement: the end of every reply waits for it. */
export async function finishChatStream({ streamId, from, chunks }: { streamId: string; from: number; chunks: unknown[] }) {
  const db = getDb();
  const finish = () => db.update(chatStreams).set({ finishedAt: new Date() }).where(eq(chatStreams.id, streamId));
  if (chunks.length === 0) return void (await prepared(finish()));
  const last = db.$with("last").as(
    db
      .insert(chatStreamChunks)
      .values(chunkRows(streamId, from, chunks))
      .returning({ sequence: chatStreamChunks.sequence }),
  );
  await prepared(db.with(last).update(chatStreams).set({ finishedAt: new Date() }).where(eq(chatStreams.id, streamId)));
}

export async function isStopRequested({ streamId }: { streamId: string }): Promise<boolean> {
  const [row] = await prepared(
    getDb()
      .select({ id: chatStreams.id })
      .from(chatStreams)
      .where(and(eq(chatStreams.id, streamId), isNotNull(chatStreams.stopRequestedAt))),
  );
  return row !== undefined;
}

/** The user's chat's newest stream still running, or null. */
export async function getActiveStream({ chatId, userId }: { chatId: string; userId: string }): Promise<string | null> {
  const [row] = await getDb()
    .select({ id: chatStreams.id })
    .from(chatStreams)
    .innerJoin(chats, eq(chats.id, chatStreams.chatId))
    .where(
      and(
        eq(chatStreams.chatId, chatId),
        eq(chats.userId, userId),
        isNull(chatStreams.finishedAt),
        gte(chatStreams.startedAt, new Date(Date.now() - STREAM_LIFETIME_MS)),
      ),
    )
    .orderBy(desc(chatStreams.startedAt))
    .limit(1);
  return row?.id ?? null;
}

/** Asks whichever instance runs the user's chat's replies to stop them. False when the chat is not theirs. */
export async function requestStop({ chatId, userId }: { chatId: string; userId: string }): Promise<boolean> {
  const [owned] = await getDb().select({ id: chats.id }).from(chats).where(and(eq(chats.id, chatId), eq(chats.userId, userId)));
  if (!owned) return false;
  await getDb()
    .update(chatStreams)
    .set({ stopRequestedAt: sql`now()` })
    .where(and(eq(chatStreams.chatId, chatId), isNull(chatStreams.finishedAt)));
  return true;
}

/**
 * A stream's chunks after `after` (a sequence number, -1 for all), and whether the stream had finished before they
 * were read: finished and nothing new means the reader has everything. `ended` is also true when the stream is gone
 * (cleaned up) or outlived STREAM_LIFETIME_MS without finishing.
 */
export async function readStreamChunks({ streamId, after }: { streamId: string; after: number }) {
  const [stream] = await getDb()
    .select({ finishedAt: chatStreams.finishedAt, startedAt: chatStreams.startedAt })
    .from(chatStreams)
    .where(eq(chatStreams.id, streamId));
  const rows = await getDb()
    .select({ sequence: chatStreamChunks.sequence, chunk: chatStreamChunks.chunk })
    .from(chatStreamChunks)
    .where(and(eq(chatStreamChunks.streamId, streamId), gt(chatStreamChunks.sequence, after)))
    .orderBy(asc(chatStreamChunks.sequence))
    .limit(500);
  const ended = !stream || stream.finishedAt !== null || stream.startedAt.getTime() < Date.now() - STREAM_LIFETIME_MS;
  return { chunks: rows, ended };
}
