import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runMigrations } from "@/db/migrate";
import type { CurrentUser } from "@/lib/auth/session";
import { startModelServer, type ModelServer } from "@/sandbox/model/server";
import { realPostgresInstalled, startRealPostgres, type RealPostgres } from "@/sandbox/postgres/real-server";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { startPermissionService } from "@/sandbox/test-harness";
import { storedMessages } from "@/tests/sandbox-readers";
import { session } from "./harness-session";
import { chatClient, configureModelAndDatabase, streamChunks, streamedText } from "./test-client";

// The database restarting under the app, on a real PostgreSQL server of this file's own (stopping one that other
// tests share would break them). Runs where TEST_DIRECT_DATABASE_URL says a real PostgreSQL with pgvector is
// installed, as in CI (.ci/run) and under `npm run test:pg`.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const alice: CurrentUser = { sub: "auth0|alice", name: "Alice Martin", email: "alice@example.com", picture: null, emailVerified: true };
const NOT_SAVED = "The database is not answering, so your message was not saved. Try again in a moment.";
const NOT_COMPLETED = "The database is not answering, so this could not be completed. Reload the chat in a moment to see where it stands.";
const REPLY_NOT_SAVED = "This reply could not be saved, so it will be missing after a reload. Ask again in a moment.";

describe.skipIf(!process.env.TEST_DIRECT_DATABASE_URL || !realPostgresInstalled)("the database restarting", { timeout: 60_000 }, () => {
  let database: RealPostgres;
  let model: ModelServer;
  let permissions: { close: () => Promise<void> };
  let permissionStore: SandboxPostgres;
  let POST: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    database = await startRealPostgres();
    await runMigrations(database.url);
    // Paced slower than a real model, so a reply is still streaming seconds after the database is back.
    model = await startModelServer({ port: 0, chunkDelayMs: 250 });
    // The permission service keeps its tuples elsewhere: it stays up while the app's database restarts.
    permissionStore = await startSandboxPostgres({ port: 0 });
    const fga = await startPermissionService(permissionStore.url);
    permissions = fga;
    configureModelAndDatabase({ databaseUrl: database.url, modelUrl: model.baseURL, fga });
    ({ POST } = await import("./route"));
  }, 120_000);

  afterAll(async () => {
    await model?.close();
    await permissions?.close();
    await permissionStore?.close();
    await database?.close();
  });

  beforeEach(async () => {
    session.current = alice;
    await database.start().catch(() => {}); // already running unless a test failed while it was stopped
  });

  /** What is stored, read through a connection of the test's own, opened and closed around the read. */
  async function stored(chatId: string) {
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const chats = await sql<{ title: string }[]>`select title from chats where id = ${chatId}`;
      return { chats, messages: await storedMessages(sql, chatId) };
    } finally {
      await sql.end();
    }
  }

  it("restarted between turns: the next turn works on a reconnected pool, and both turns are stored", async () => {
    const chat = chatClient(POST);
    const chatId = crypto.randomUUID();
    expect(streamedText((await chat.say(chatId, "Who am I?")).text)).toContain("alice@example.com");
    await database.stop();
    await database.start();

    const next = await chat.say(chatId, "Who am I, again?");
    expect(next.status).toBe(200);
    expect(streamedText(next.text)).toContain("alice@example.com");
    const { messages } = await stored(chatId);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  });

  it("down when a turn starts: the user is told the message was not saved, and sending it again works", async () => {
    const chat = chatClient(POST);
    const chatId = crypto.randomUUID();
    const message = { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: "Who am I?" }] };
    await database.stop();
    const refused = await chat.post({ id: chatId, message });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text)).toEqual({ error: { code: "unavailable", message: NOT_SAVED } });

    await database.start();
    expect(await stored(chatId)).toEqual({ chats: [], messages: [] });
    const retried = await chat.post({ id: chatId, message });
    expect(retried.status).toBe(200);
    expect(streamedText(retried.text)).toContain("alice@example.com");
    const { chats, messages } = await stored(chatId);
    expect(chats).toEqual([{ title: "Who am I?" }]);
    expect(messages.map((m) => [m.id === message.id, m.role])).toEqual([[true, "user"], [false, "assistant"]]);
  });

  it("down when a resume arrives: the user is told to reload, not that a message was lost", async () => {
    const chat = chatClient(POST);
    const chatId = crypto.randomUUID();
    expect((await chat.say(chatId, "Who am I?")).status).toBe(200);
    await database.stop();
    const refused = await chat.resume(chatId, "call_0");
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text)).toEqual({ error: { code: "unavailable", message: NOT_COMPLETED } });
    await database.start();
    expect((await stored(chatId)).messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("the connection lost between storing a new chat and its first message: neither is stored, and the user is told", async () => {
    // The server ends the app's connection in the middle of the transaction, as a restart or a failover does.
    const admin = postgres(database.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`
      create function lose_connection() returns trigger language plpgsql as $$
      begin perform pg_terminate_backend(pg_backend_pid()); return new; end $$;
      create trigger lose_connection before insert on messages for each row execute function lose_connection()`);
    const chat = chatClient(POST);
    const chatId = crypto.randomUUID();
    try {
      const refused = await chat.say(chatId, "Who am I?");
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text)).toEqual({ error: { code: "unavailable", message: NOT_SAVED } });
    } finally {
      await admin.unsafe("drop trigger lose_connection on messages; drop function lose_connection()");
      await admin.end();
    }
    expect(await stored(chatId)).toEqual({ chats: [], messages: [] });
    expect((await chat.say(chatId, "Who am I?")).status).toBe(200);
    expect((await stored(chatId)).messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  /** Sends "Who am I?" and reads the reply until its first text; the rest is left to read. */
  async function startTurn(chatId: string) {
    const response = await POST(
      new Request("http://localhost:3000/api/chat", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost:3000" },
        body: JSON.stringify({ id: chatId, message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: "Who am I?" }] } }),
      }),
    );
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    // The answer's text, after the tool's output: the model may write a few words before its call, and a database
    // stopped then would fail the call's audit event rather than the reply's storing.
    const answering = () => {
      const output = received.indexOf('"type":"tool-output-available"');
      return output >= 0 && received.indexOf('"type":"text-delta"', output) >= 0;
    };
    while (!answering()) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the reply ended before any text");
      received += value;
    }
    return async function rest() {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += chunk.value;
      return received;
    };
  }

  it("restarted mid-turn: the user's message is stored, the reply finishes, and it is stored too", async () => {
    const chatId = crypto.randomUUID();
    const rest = await startTurn(chatId);
    // Mid-turn: the user's message is stored, the reply is not yet.
    expect((await stored(chatId)).messages.map((m) => m.role)).toEqual(["user"]);
    await database.stop();
    await database.start();
    const received = await rest();

    expect(streamChunks(received).filter((c) => c.type === "error" || c.type === "finish").map((c) => c.type)).toEqual(["finish"]);
    expect(streamedText(received)).toContain("alice@example.com");
    const { messages } = await stored(chatId);
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(JSON.stringify(messages[1]!.parts)).toContain("alice@example.com");
  });

  it("down when the reply ends: the user is told the reply was not saved; the message is kept and the chat goes on", async () => {
    const chatId = crypto.randomUUID();
    const rest = await startTurn(chatId);
    await database.stop();
    const received = await rest();

    expect(streamedText(received)).toContain("alice@example.com");
    const closing = streamChunks(received).filter((c) => c.type === "error" || c.type === "finish");
    expect(closing).toEqual([{ type: "error", errorText: REPLY_NOT_SAVED }]);
    await database.start();
    expect((await stored(chatId)).messages.map((m) => m.role)).toEqual(["user"]);
    const next = await chatClient(POST).say(chatId, "Who am I?");
    expect(streamedText(next.text)).toContain("alice@example.com");
    expect((await stored(chatId)).messages.map((m) => m.role)).toEqual(["user", "user", "assistant"]);
  });
});
