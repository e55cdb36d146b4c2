import { createServer, type Server } from "node:http";
import { createOpenAI } from "@ai-sdk/openai";
import { createUIMessageStream, streamText, toUIMessageStream } from "ai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeStreamError } from "@/lib/chat/stream-errors";
import { listen } from "@/sandbox/http";
import { startModelServer, type ModelServer } from "@/sandbox/model/server";
import { cutModelStream } from "@/sandbox/model/stream-cuts";
import { fetchWithIdleTimeout, StalledAnswerError } from "./idle-timeout";

const WAIT_MS = 300;
let server: Server;
let origin: string;
let model: ModelServer;

beforeAll(async () => {
  // /silent answers nothing; /stalls sends its headers and one line, then nothing; /steady sends a line every
  // 100 ms for a second, well past WAIT_MS in all but never silent for it.
  server = createServer((req, res) => {
    if (req.url?.startsWith("/silent")) return;
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("first\n");
    if (req.url === "/stalls") return;
    let sent = 1;
    const timer = setInterval(() => {
      res.write(`line ${sent}\n`);
      if (++sent === 10) {
        clearInterval(timer);
        res.end();
      }
    }, 100);
  });
  origin = `http://127.0.0.1:${await listen(server, 0, "127.0.0.1")}`;
  model = await startModelServer({ port: 0, chunkDelayMs: 0 });
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await model?.close();
});

const idleFetch = fetchWithIdleTimeout(WAIT_MS);

it("gives up on an answer whose headers do not come", async () => {
  await expect(idleFetch(`${origin}/silent`)).rejects.toBeInstanceOf(StalledAnswerError);
});

it("gives up on a body that goes silent, after what arrived was read", async () => {
  const response = await idleFetch(`${origin}/stalls`);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  expect((await reader.read()).value).toBe("first\n");
  const started = performance.now();
  await expect(reader.read()).rejects.toBeInstanceOf(StalledAnswerError);
  expect(performance.now() - started).toBeLessThan(WAIT_MS * 5);
});

it("lets a steady stream run longer than the wait", async () => {
  const response = await idleFetch(`${origin}/steady`);
  expect((await response.text()).split("\n").filter(Boolean)).toHaveLength(10);
});

/** The UI chunks of a reply streamed as lib/chat/reply.ts streams it, from the model at `baseURL`. */
async function replyChunks(baseURL: string) {
  const openai = createOpenAI({ apiKey: "sandbox", baseURL, fetch: idleFetch });
  // As lib/chat/reply.ts streams a reply.
  const stream = createUIMessageStream({
    execute: ({ writer }) => {
      const result = streamText({ model: openai.chat("delegate-sandbox"), prompt: "Tell me a long story", maxRetries: 0, onError: () => {} });
      writer.merge(toUIMessageStream({ stream: result.stream, onError: describeStreamError }));
    },
    onError: describeStreamError,
  });
  const chunks: { type: string; delta?: string; errorText?: string }[] = [];
  const reader = stream.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) chunks.push(chunk.value as (typeof chunks)[number]);
  return chunks;
}

const GIVEN_UP = { type: "error", errorText: "The model service stopped answering, so the reply was given up on. Try again in a moment." };

it("a model that stalls mid-answer: the chat says it stopped answering, and what arrived is kept", async () => {
  await cutModelStream(model.baseURL, { afterEvents: 4, stall: true });
  const chunks = await replyChunks(model.baseURL);
  expect(chunks.filter((c) => c.type === "text-delta").map((c) => c.delta).join("")).toBe("I'm Delegate's sandbox ");
  expect(chunks.filter((c) => c.type === "error")).toEqual([GIVEN_UP]);
});

it("a model that never starts its answer: the chat says it stopped answering", async () => {
  const chunks = await replyChunks(`${origin}/silent/v1`);
  expect(chunks.filter((c) => c.type === "error")).toEqual([GIVEN_UP]);
});
