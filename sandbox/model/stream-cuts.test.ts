import { afterAll, beforeAll, expect, it } from "vitest";
import { startModelServer, type ModelServer } from "./server";
import { clearStreamCuts, cutModelStream, STREAM_CUTS_PATH } from "./stream-cuts";

let model: ModelServer;
beforeAll(async () => {
  model = await startModelServer({ port: 0, chunkDelayMs: 0 });
});
afterAll(() => model?.close());

const ask = (content: string) =>
  fetch(`${model.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sandbox", "content-type": "application/json" },
    body: JSON.stringify({ model: "delegate-sandbox", stream: true, messages: [{ role: "user", content }] }),
  });

it("cuts the next streamed text answer after the events asked for, without [DONE]; the one after is whole", async () => {
  await cutModelStream(model.baseURL, { afterEvents: 3 });
  const cut = await ask("Tell me a long story");
  expect(cut.status).toBe(200);
  const received: string[] = [];
  const reader = cut.body!.pipeThrough(new TextDecoderStream()).getReader();
  await expect(
    (async () => {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received.push(chunk.value);
    })(),
  ).rejects.toThrow(/terminated/);
  expect(received.join("").match(/^data: \{/gm)).toHaveLength(3);
  expect(received.join("")).not.toContain("[DONE]");

  expect(await (await ask("Tell me a long story")).text()).toContain("data: [DONE]");
});

it("refuses a malformed cut, and DELETE clears the queued ones", async () => {
  const refused = await fetch(new URL(STREAM_CUTS_PATH, model.baseURL), { method: "POST", headers: { "content-type": "application/json" }, body: '{"afterEvents": 0}' });
  expect(refused.status).toBe(400);
  await cutModelStream(model.baseURL, { afterEvents: 2, times: 5 });
  await clearStreamCuts(model.baseURL);
  expect(await (await ask("Tell me a long story")).text()).toContain("data: [DONE]");
});
