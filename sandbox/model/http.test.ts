import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelServer, type ModelServer } from "./server";
import type { ChatCompletion, ChatCompletionChunk } from "./wire";

let server: ModelServer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startModelServer({ port: 0, chunkDelayMs: 0, log: (line) => logs.push(line) });
});
afterAll(() => server?.close());

const auth = { authorization: "Bearer sandbox", "content-type": "application/json" };

function post(path: string, body: unknown, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${server.baseURL}${path}`, { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** The `data:` payloads of an SSE body, `[DONE]` included as a string. */
async function events(res: Response): Promise<(ChatCompletionChunk | "[DONE]")[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter(Boolean)
    .map((block) => {
      expect(block.startsWith("data: ")).toBe(true);
      const data = block.slice("data: ".length);
      return data === "[DONE]" ? data : (JSON.parse(data) as ChatCompletionChunk);
    });
}

const gmailTool = {
  type: "function",
  function: {
    name: "search_gmail",
    description: "Search the user's Gmail messages.",
    parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"], additionalProperties: false },
  },
};

describe("sandbox model over raw HTTP", () => {
  it("listens on a free port at 127.0.0.1", () => {
    expect(server.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it("requires a bearer key, answering like OpenAI", async () => {
    for (const headers of [{ "content-type": "application/json" }, { ...auth, authorization: "Bearer " }]) {
      const res = await post("/chat/completions", { model: "delegate-sandbox", messages: [] }, headers);
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ type: "invalid_request_error", param: null, code: null });
      expect(body.error.message).toContain("API key");
    }
  });

  it("rejects malformed JSON and missing messages with 400", async () => {
    const malformed = await post("/chat/completions", "{ not json");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toContain("could not parse the JSON body");

    const missing = await post("/chat/completions", { model: "delegate-sandbox" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: { message: "Missing required parameter: 'messages'.", type: "invalid_request_error", param: "messages", code: "missing_required_parameter" },
    });
    const badContent = await post("/chat/completions", { model: "m", messages: [{ role: "user", content: 42 }] });
    expect(((await badContent.json()) as { error: { param: string } }).error.param).toBe("messages[0].content");
    const badChoice = await post("/chat/completions", { model: "m", messages: [{ role: "user", content: "hi" }], tool_choice: { type: "function" } });
    expect(badChoice.status).toBe(400);
    expect((await post("/embeddings", { model: "m", input: [] })).status).toBe(400);

    // OpenAI's embedding limits: 2048 inputs, 8192 tokens each, 300,000 tokens per request.
    const tooMany = await post("/embeddings", { model: "m", input: Array(2049).fill("x") });
    expect(((await tooMany.json()) as { error: { param: string } }).error.param).toBe("input");
    expect((await post("/embeddings", { model: "m", input: ["年".repeat(3_000)] })).status).toBe(400); // 9,000 bytes
    const tooLarge = await post("/embeddings", { model: "m", input: Array(50).fill("年".repeat(2_500)) }); // 375,000 bytes
    expect(await tooLarge.json()).toEqual({
      error: { message: "Requested 375000 tokens, max 300000 tokens per request", type: "max_tokens_per_request", param: null, code: "max_tokens_per_request" },
    });
    expect((await post("/embeddings", { model: "m", input: Array(2048).fill("年".repeat(40)) })).status).toBe(200);
    expect((await post("/nope", {})).status).toBe(404);
  });

  it("lists its models", async () => {
    const res = await fetch(`${server.baseURL}/models`, { headers: auth });
    expect(await res.json()).toEqual({
      object: "list",
      data: [
        { id: "delegate-sandbox", object: "model", created: expect.any(Number), owned_by: "delegate-sandbox" },
        { id: "delegate-sandbox-gullible", object: "model", created: expect.any(Number), owned_by: "delegate-sandbox" },
        { id: "delegate-sandbox-embedding", object: "model", created: expect.any(Number), owned_by: "delegate-sandbox" },
      ],
    });
    expect((await fetch(`${server.baseURL}/models/delegate-sandbox`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${server.baseURL}/models/gpt-9`, { headers: auth })).status).toBe(404);
  });

  it("streams text as chat.completion.chunk events with a final usage chunk and [DONE]", async () => {
    const res = await post("/chat/completions", {
      model: "my-own-model-id",
      messages: [{ role: "user", content: "Hello there" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const all = await events(res);
    expect(all.at(-1)).toBe("[DONE]");
    const chunks = all.filter((e): e is ChatCompletionChunk => e !== "[DONE]");
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "my-own-model-id")).toBe(true);
    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: "assistant", content: "" });
    const pieces = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ""));
    expect(pieces.filter(Boolean).length).toBeGreaterThan(5);
    expect(pieces.join("")).toContain("sandbox model");
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it("streams tool calls in OpenAI's delta format", async () => {
    const res = await post("/chat/completions", {
      model: "delegate-sandbox",
      messages: [{ role: "user", content: "Find the invoice from Acme in my email" }],
      tools: [gmailTool],
      stream: true,
    });
    const chunks = (await events(res)).filter((e): e is ChatCompletionChunk => e !== "[DONE]");
    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: "function", function: { name: "search_gmail", arguments: "" } });
    expect(deltas.length).toBeGreaterThan(2);
    expect(JSON.parse(deltas.map((d) => d.function.arguments).join(""))).toEqual({ query: "invoice from Acme" });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it("answers without streaming in the chat.completion shape", async () => {
    const res = await post("/chat/completions", {
      model: "delegate-sandbox",
      messages: [{ role: "user", content: [{ type: "text", text: "Find the invoice from Acme in my email" }] }],
      tools: [gmailTool],
    });
    const body = (await res.json()) as ChatCompletion;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "search_gmail" } }] },
    });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it("stops streaming when the client disconnects", async () => {
    const abort = new AbortController();
    const slow = await startModelServer({ port: 0, chunkDelayMs: 20, log: (line) => logs.push(line) });
    try {
      const res = await fetch(`${slow.baseURL}/chat/completions`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ model: "delegate-sandbox", messages: [{ role: "user", content: "Write a long essay" }], stream: true }),
        signal: abort.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      abort.abort();
      await expect.poll(() => logs.some((l) => l.includes("stream=true → text (client disconnected)"))).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it("embeds as base64 little-endian float32 when asked", async () => {
    const request = { model: "delegate-sandbox-embedding", input: ["hello world", "goodbye"], dimensions: 64 };
    const floats = (await (await post("/embeddings", request)).json()) as { data: { embedding: number[] }[] };
    const base64 = (await (await post("/embeddings", { ...request, encoding_format: "base64" })).json()) as {
      data: { index: number; embedding: string }[];
      usage: { prompt_tokens: number };
    };
    expect(base64.data.map((d) => d.index)).toEqual([0, 1]);
    const bytes = Buffer.from(base64.data[1]!.embedding, "base64");
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    expect(decoded).toHaveLength(64);
    decoded.forEach((v, i) => expect(v).toBeCloseTo(floats.data[1]!.embedding[i]!, 6));
    expect(base64.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it("logs one line per request, without message contents", () => {
    expect(logs.length).toBeGreaterThan(5);
    expect(logs.every((l) => l.startsWith("[sandbox:model] "))).toBe(true);
    expect(logs.some((l) => /POST \/v1\/chat\/completions 200 model=delegate-sandbox stream=true → tool search_gmail/.test(l))).toBe(true);
    expect(logs.some((l) => l.includes("POST /v1/chat/completions 401"))).toBe(true);
    expect(logs.join("\n")).not.toMatch(/Acme|Hello there|hello world/);
  });
});
