import { randomUUID } from "node:crypto";
import { afterAll, expect, it, vi } from "vitest";
import { setUpMigratedDatabase } from "@/tests/migrated-database";
import { createChat, getMessages, saveMessage } from "./chats";
import { appendStreamChunks, finishChatStream, readStreamChunks, startChatStream } from "./chat-streams";

const database = setUpMigratedDatabase();

afterAll(() => {
  vi.useRealTimers();
});

it("drops streams no longer resumable when a stream starts, at most once a minute", async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  const chatId = randomUUID();
  await createChat({ id: chatId, userId: "auth0|streams", title: "Streams" });
  const leftOver = async () => {
    const id = randomUUID();
    await database.sql()`insert into chat_streams (id, chat_id, started_at) values (${id}, ${chatId}, now() - interval '20 minutes')`;
    return id;
  };
  const exists = async (id: string) => (await database.sql()`select 1 from chat_streams where id = ${id}`).length === 1;

  const first = await leftOver();
  const started = await startChatStream({ chatId });
  expect(await exists(first)).toBe(false);
  expect(await exists(started)).toBe(true);

  const second = await leftOver();
  vi.setSystemTime(Date.now() + 59_000);
  await startChatStream({ chatId });
  expect(await exists(second)).toBe(true);

  vi.setSystemTime(Date.now() + 2_000);
  await startChatStream({ chatId });
  expect(await exists(second)).toBe(false);
  expect(await exists(started)).toBe(true);
});

it("stores a chat's messages and a reply's chunks with a lone surrogate or a NUL in them, which Postgres cannot hold as they are", async () => {
  const chatId = randomUUID();
  const text = (t: string) => [{ type: "text" as const, text: t }];
  await createChat({ id: chatId, userId: "auth0|streams", title: "Odd text", firstMessage: { id: "m1", parts: text("first \ud800 one") } });
  await saveMessage({ chatId, message: { id: "m2", role: "assistant", parts: text("reply \u0000 with \udfff") } });
  expect((await getMessages({ chatId })).map((m) => m.parts)).toEqual([text("first \ufffd one"), text("reply  with \ufffd")]);

  const streamId = await startChatStream({ chatId });
  await appendStreamChunks({ streamId, from: 0, chunks: [{ type: "text-delta", id: "0", delta: "\udbff!" }] });
  await finishChatStream({ streamId, from: 1, chunks: [{ type: "text-delta", id: "0", delta: "\u0000?" }] });
  expect((await readStreamChunks({ streamId, after: -1 })).chunks.map((c) => c.chunk)).toEqual([
    { type: "text-delta", id: "0", delta: "\ufffd!" },
    { type: "text-delta", id: "0", delta: "?" },
  ]);
});
