import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { runMigrations } from "@/db/migrate";
import { startModelServer, type ModelServer } from "@/sandbox/model/server";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { session } from "./harness-session";
import { configureModelAndDatabase, streamChunks, streamedText } from "./test-client";

// A reply outlives the browser's request: reloading mid-answer neither stops nor truncates it, the reload resumes
// it from the database (not from the memory of the instance that generates it), and only the user's Stop ends it.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const STORY = "Tell me a long story about otters";

let pg: SandboxPostgres | undefined;
let model: ModelServer;
let wholeStory: string;

beforeAll(async () => {
  // `npm run test:pg` runs this through PgBouncer in transaction mode, as serverless deployments reach Postgres.
  const { TEST_DIRECT_DATABASE_URL: direct, TEST_POOLER_DATABASE_URL: pooler } = process.env;
  if (!direct || !pooler) pg = await startSandboxPostgres({ port: 0 });
  // Slow enough that a reply is still running while a test reloads, as the sandbox's own model streams.
  model = await startModelServer({ port: 0, chunkDelayMs: 5 });
  await runMigrations(pg?.url ?? direct!);
  configureModelAndDatabase({ databaseUrl: pg?.url ?? pooler!, modelUrl: model.baseURL });
  session.current = { sub: "auth0|carol", name: "Carol Diaz", email: "carol@example.com", picture: null, emailVerified: true };
  const chatId = crypto.randomUUID();
  wholeStory = streamedText(await (await post(chatId, STORY)).text());
  expect(wholeStory).toContain("A story about otters");
});

afterAll(async () => {
  await model?.close();
  await pg?.close();
});

async function post(chatId: string, text: string): Promise<Response> {
  const { POST } = await import("./route");
  const message = { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] };
  return POST(
    new Request("http://localhost:3000/api/chat", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000" },
      body: JSON.stringify({ id: chatId, message }),
    }),
  );
}

/** Reads the start of a reply, then goes away the way a reloading browser does: the response is dropped. */
async function leaveMidAnswer(response: Response): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!streamedText(seen).includes("otters")) seen += (await reader.read()).value ?? "";
  await reader.cancel();
  return seen;
}

/** The stream route as another instance runs it: a module graph of its own, sharing only the database. */
async function otherInstance() {
  vi.resetModules();
  return import("./[id]/stream/route");
}

const params = (id: string) => ({ params: Promise.resolve({ id }) });
const streamRequest = (chatId: string, method = "GET") =>
  new Request(`http://localhost:3000/api/chat/${chatId}/stream`, { method, headers: { origin: "http://localhost:3000" } });

async function storedReply(chatId: string): Promise<string | undefined> {
  const { getMessages } = await import("@/db/queries/chats");
  const reply = (await getMessages({ chatId })).find((m) => m.role === "assistant");
  return reply?.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
}

async function untilStored(chatId: string): Promise<string> {
  for (let tries = 0; tries < 200; tries++) {
    const text = await storedReply(chatId);
    if (text !== undefined) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("The reply was never stored.");
}

it("a reply whose browser went away mid-answer runs to its end and is stored whole", async () => {
  const chatId = crypto.randomUUID();
  const seen = await leaveMidAnswer(await post(chatId, STORY));
  expect(streamedText(seen).length).toBeLessThan(wholeStory.length);
  expect(await untilStored(chatId)).toBe(wholeStory);
});

it("a reload mid-answer, reaching another instance, replays what was sent and follows the reply to its end", async () => {
  const chatId = crypto.randomUUID();
  await leaveMidAnswer(await post(chatId, STORY));
  const { GET } = await otherInstance();
  const resumed = await GET(streamRequest(chatId), params(chatId));
  expect(resumed.status).toBe(200);
  const sse = await resumed.text();
  expect(streamedText(sse)).toBe(wholeStory);
  const chunks = streamChunks(sse);
  expect(chunks[0]).toMatchObject({ type: "start" });
  expect(chunks.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  // The replay rebuilds the very message that is stored.
  const { getMessages } = await import("@/db/queries/chats");
  const stored = (await getMessages({ chatId })).at(-1)!;
  expect(chunks[0]!.messageId).toBe(stored.id);
  expect(await storedReply(chatId)).toBe(wholeStory);
});

it("a reload after the reply finished finds nothing to resume, and the stored reply is whole", async () => {
  const chatId = crypto.randomUUID();
  await (await post(chatId, STORY)).text();
  const { GET } = await otherInstance();
  const resumed = await GET(streamRequest(chatId), params(chatId));
  expect(resumed.status).toBe(204);
  expect(await storedReply(chatId)).toBe(wholeStory);
});

it("someone else's chat has no stream to resume and cannot be stopped", async () => {
  const chatId = crypto.randomUUID();
  const response = await post(chatId, STORY);
  const { GET, DELETE } = await otherInstance();
  session.current = { sub: "auth0|dave", name: "Dave", email: "dave@example.com", picture: null, emailVerified: true };
  try {
    expect((await GET(streamRequest(chatId), params(chatId))).status).toBe(204);
    expect((await DELETE(streamRequest(chatId, "DELETE"), params(chatId))).status).toBe(404);
  } finally {
    session.current = { sub: "auth0|carol", name: "Carol Diaz", email: "carol@example.com", picture: null, emailVerified: true };
  }
  expect(streamedText(await response.text())).toBe(wholeStory);
});

it("the user's Stop, reaching another instance, ends the reply there and keeps what was written", async () => {
  const chatId = crypto.randomUUID();
  const response = await post(chatId, STORY);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!streamedText(seen).includes("otters")) seen += (await reader.read()).value ?? "";
  const { DELETE } = await otherInstance();
  expect((await DELETE(streamRequest(chatId, "DELETE"), params(chatId))).status).toBe(204);
  for (let read = await reader.read(); !read.done; read = await reader.read()) seen += read.value;
  const stopped = streamedText(seen);
  expect(stopped.length).toBeLessThan(wholeStory.length);
  expect(streamChunks(seen).some((c) => c.type === "abort")).toBe(true);
  expect(await untilStored(chatId)).toBe(stopped);
});
