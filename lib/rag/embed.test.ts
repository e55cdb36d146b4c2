import { describe, expect, it } from "vitest";
import { requestBatches } from "./embed";

describe("embedding requests", () => {
  it("fills each request up to OpenAI's limits, in order, counting UTF-8 bytes rather than characters", () => {
    // 1,000 Greek letters are 2,000 bytes: 150 fit in 300,000 bytes, though 300 would by characters.
    const values = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x3b1 + (i % 25)).repeat(1_000));
    const batches = requestBatches(values);
    expect(batches.map((b) => b.length)).toEqual([150, 150, 100]);
    expect(batches.flat()).toEqual(values);
    for (const batch of batches) expect(batch.reduce((sum, v) => sum + Buffer.byteLength(v), 0)).toBeLessThanOrEqual(300_000);
  });

  it("starts a new request at 2,048 inputs, however short", () => {
    const values = Array.from({ length: 5_000 }, (_, i) => `note ${i} (Ærø)`);
    expect(requestBatches(values).map((b) => b.length)).toEqual([2_048, 2_048, 904]);
  });

  it("sends a value larger than a request's byte limit alone, for the service to refuse", () => {
    const batches = requestBatches(["short", "x".repeat(20), "tail"], { inputs: 10, bytes: 10 });
    expect(batches).toEqual([["short"], ["x".repeat(20)], ["tail"]]);
  });
});
