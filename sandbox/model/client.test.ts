import { createOpenAI } from "@ai-sdk/openai";
import { cosineSimilarity, embed, embedMany, generateText, isStepCount, streamText, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startModelServer, type ModelServer } from "./server";

// The app's own wiring, unmodified: the sandbox is just another OpenAI-compatible base URL.
let server: ModelServer;
let provider: ReturnType<typeof createOpenAI>;
const logs: string[] = [];

beforeAll(async () => {
  server = await startModelServer({ port: 0, chunkDelayMs: 1, log: (line) => logs.push(line) });
  provider = createOpenAI({ baseURL: server.baseURL, apiKey: "sandbox" });
});
afterAll(() => server?.close());

function profileTool() {
  const calls: unknown[] = [];
  const getUserProfile = tool({
    description: "Get the signed-in user's name and email address. Use when the user asks who they are or what their email is.",
    inputSchema: z.object({}),
    execute: async (input) => {
      calls.push(input);
      return { name: "Alice Martin", email: "alice@example.com" };
    },
  });
  return { calls, tools: { get_user_profile: getUserProfile } };
}

describe("sandbox model through @ai-sdk/openai", () => {
  it("streams a tool call, runs the tool once and answers from its result", async () => {
    const { calls, tools } = profileTool();
    const result = streamText({
      model: provider.chat("delegate-sandbox"),
      instructions: "You are Delegate.",
      prompt: "Who am I?",
      tools,
      stopWhen: isStepCount(5),
    });
    const textDeltas: string[] = [];
    for await (const part of result.stream) if (part.type === "text-delta") textDeltas.push(part.text);

    expect(await result.text).toContain("alice@example.com");
    expect(calls).toEqual([{}]);
    const steps = await result.steps;
    expect(steps.map((s) => s.finishReason)).toEqual(["tool-calls", "stop"]);
    expect((await result.totalUsage).inputTokens).toBeGreaterThan(0);
    expect(textDeltas.length).toBeGreaterThan(3);
    expect(logs.some((l) => l.includes("→ tool get_user_profile"))).toBe(true);
  });

  it("does the same without streaming", async () => {
    const { calls, tools } = profileTool();
    const result = await generateText({
      model: provider.chat("delegate-sandbox"),
      prompt: "Who am I?",
      tools,
      stopWhen: isStepCount(5),
    });
    expect(result.text).toContain("alice@example.com");
    expect(calls).toHaveLength(1);
    expect(result.steps).toHaveLength(2);
  });

  it("streams a plain answer word by word and stops cleanly on abort", async () => {
    const plain = streamText({ model: provider.chat("delegate-sandbox"), prompt: "Hello there" });
    expect(await plain.text).toContain("sandbox model");

    const abort = new AbortController();
    const long = streamText({ model: provider.chat("delegate-sandbox"), prompt: "Tell me a long story", abortSignal: abort.signal });
    let received = "";
    for await (const part of long.stream) {
      if (part.type === "text-delta") received += part.text;
      if (received.split(" ").length > 10) abort.abort();
    }
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(1000);
    // The server notices the disconnect and keeps serving.
    await expect.poll(() => logs.some((l) => l.includes("(client disconnected)"))).toBe(true);
    expect(await streamText({ model: provider.chat("delegate-sandbox"), prompt: "Hello" }).text).toContain("Hello!");
  });
});

describe("sandbox embeddings through @ai-sdk/openai", () => {
  const model = () => provider.embedding("delegate-sandbox-embedding");

  it("returns deterministic 1536-dimensional unit vectors", async () => {
    const { embedding } = await embed({ model: model(), value: "the quarterly forecast for Q3" });
    expect(embedding).toHaveLength(1536);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
    const again = await embed({ model: model(), value: "the quarterly forecast for Q3" });
    expect(again.embedding).toEqual(embedding);
  });

  it("puts similar texts near each other and unrelated ones far apart", async () => {
    const { embeddings } = await embedMany({
      model: model(),
      values: ["the quarterly forecast for Q3", "Q3 quarterly forecast numbers", "my dentist appointment"],
    });
    const [forecast, similar, unrelated] = embeddings as [number[], number[], number[]];
    const near = cosineSimilarity(forecast, similar);
    const far = cosineSimilarity(forecast, unrelated);
    expect(near).toBeGreaterThan(0.5);
    expect(Math.abs(far)).toBeLessThan(0.15);
  });

  it("honours dimensions", async () => {
    const { embedding } = await embed({ model: model(), value: "hello", dimensions: 256 });
    expect(embedding).toHaveLength(256);
  });
});
