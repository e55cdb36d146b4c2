import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { runMigrations } from "@/db/migrate";
import { startModelServer, type ModelServer } from "@/sandbox/model/server";
import { cutModelStream } from "@/sandbox/model/stream-cuts";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { session } from "./harness-session";
import { chatClient, configureModelAndDatabase, streamChunks, streamedText } from "./test-client";

// The model's stream cut mid-answer (the sandbox model drops the connection part-way, without [DONE]): what
// arrived is shown and stored, the user is told the connection was interrupted, and asking again works.
vi.mock("@/lib/auth/session", () => import("./harness-session"));

const INTERRUPTED = "The connection to the model service was interrupted. Try again in a moment.";

let pg: SandboxPostgres;
let model: ModelServer;

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  model = await startModelServer({ port: 0, chunkDelayMs: 0 });
  await runMigrations(pg.url);
  configureModelAndDatabase({ databaseUrl: pg.url, modelUrl: model.baseURL });
  session.current = { sub: "auth0|carol", name: "Carol Diaz", email: "carol@example.com", picture: null, emailVerified: true };
});

afterAll(async () => {
  await model?.close();
  await pg?.close();
});

it("a reply cut mid-answer is kept as far as it arrived, the user is told, and asking again gets the whole answer", async () => {
  const chat = chatClient((await import("./route")).POST);
  const chatId = crypto.randomUUID();
  await cutModelStream(model.baseURL, { afterEvents: 8 });
  const cut = await chat.say(chatId, "Tell me a long story about the sea");
  expect(cut.status).toBe(200);
  const partial = streamedText(cut.text);
  expect(streamChunks(cut.text).filter((c) => c.type === "error")).toEqual([{ type: "error", errorText: INTERRUPTED }]);

  const retried = await chat.say(chatId, "Tell me a long story about the sea");
  expect(streamChunks(retried.text).some((c) => c.type === "error")).toBe(false);
  const whole = streamedText(retried.text);
  expect(whole).toContain("A story about the sea");
  // Seven words of it arrived before the cut (the first event carries only the role).
  expect(partial.trim().split(/\s+/)).toHaveLength(7);
  expect(whole.startsWith(partial)).toBe(true);

  const { getMessages } = await import("@/db/queries/chats");
  const stored = await getMessages({ chatId });
  expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
  const storedText = (index: number) => stored[index]!.parts.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
  expect(storedText(1)).toBe(partial);
  expect(storedText(3)).toBe(whole);
});
