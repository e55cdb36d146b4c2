import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { createChat } from "@/db/queries/chats";
import { startChatStream } from "@/db/queries/chat-streams";
import { setUpMigratedDatabase } from "@/tests/migrated-database";
import { recordStream, replayStream } from "./resumable-stream";

const database = setUpMigratedDatabase();

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) out.push(read.value);
  return out;
}

const deltas = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ type: "text-delta" as const, id: "0", delta: `${i} café (x) https://a.test/?q=${i}\n` }));

it("stores every chunk of a reply in order, those that came in a burst and those left at its end, and replays them", async () => {
  const chatId = randomUUID();
  await createChat({ id: chatId, userId: "auth0|recorder", title: "Recorder" });
  const streamId = startChatStream({ chatId });
  const sent = [...deltas(150), { type: "finish" as const }];
  const chunks = new ReadableStream({
    async start(controller) {
      for (const [i, chunk] of sent.entries()) {
        controller.enqueue(chunk);
        // Part of the reply comes after a pause longer than the write interval, part in one burst.
        if (i === 70) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      controller.close();
    },
  });
  const browser = await readAll(recordStream({ streamId, chunks, stop: new AbortController() }));
  expect(browser).toEqual(sent);

  const id = (await streamId)!;
  const rows = await database.sql()<{ sequence: number }[]>`select sequence from chat_stream_chunks where stream_id = ${id} order by sequence`;
  expect(rows.map((row) => row.sequence)).toEqual(sent.map((_, i) => i));
  expect((await database.sql()`select finished_at from chat_streams where id = ${id}`)[0]!.finished_at).not.toBeNull();
  expect(await readAll(replayStream(id))).toEqual(sent);
});

it("passes a reply on whole when its stream's row could not be written", async () => {
  const sent = [...deltas(3), { type: "finish" as const }];
  const chunks = new ReadableStream({
    start(controller) {
      for (const chunk of sent) controller.enqueue(chunk);
      controller.close();
    },
  });
  expect(await readAll(recordStream({ streamId: Promise.reject(new Error("the database went away")), chunks, stop: new AbortController() }))).toEqual(sent);
});

it("passes the first chunk on only once the stream's row exists, so that a Stop sent after it finds the stream", async () => {
  const chatId = randomUUID();
  await createChat({ id: chatId, userId: "auth0|recorder", title: "Stop" });
  let rowWritten = false;
  let writeRow = () => {};
  const streamId = new Promise<string>((resolve) => (writeRow = () => void startChatStream({ chatId }).then((id) => ((rowWritten = true), resolve(id)))));
  const chunks = new ReadableStream({
    start(controller) {
      controller.enqueue({ type: "start" as const });
      controller.close();
    },
  });
  const first = recordStream({ streamId, chunks, stop: new AbortController() })
    .getReader()
    .read()
    .then(() => rowWritten);
  await new Promise((resolve) => setTimeout(resolve, 50));
  writeRow();
  expect(await first).toBe(true);
});

it("marks the stream finished even when its last chunks cannot be stored", async () => {
  const chatId = randomUUID();
  await createChat({ id: chatId, userId: "auth0|recorder", title: "NUL" });
  const streamId = startChatStream({ chatId });
  const early = deltas(5);
  // JSON has no BigInt, so the statement carrying this chunk cannot be made.
  const late = [{ type: "data-count" as const, data: 1n } as never, { type: "finish" as const }];
  const chunks = new ReadableStream({
    async start(controller) {
      for (const chunk of early) controller.enqueue(chunk);
      await new Promise((resolve) => setTimeout(resolve, 250));
      for (const chunk of late) controller.enqueue(chunk);
      controller.close();
    },
  });
  expect(await readAll(recordStream({ streamId, chunks, stop: new AbortController() }))).toEqual([...early, ...late]);
  const id = (await streamId)!;
  expect((await database.sql()`select finished_at from chat_streams where id = ${id}`)[0]!.finished_at).not.toBeNull();
  expect(await readAll(replayStream(id))).toEqual(early);
});
