import { cosineSimilarity } from "ai";
import { describe, expect, it } from "vitest";
import { embedText, toBase64 } from "./embedding-vector";

describe("embedText", () => {
  it("is deterministic, unit length and sized as asked", () => {
    const a = embedText("Meeting notes from Monday");
    expect(a).toHaveLength(1536);
    expect(embedText("Meeting notes from Monday")).toEqual(a);
    expect(Math.hypot(...a)).toBeCloseTo(1, 10);
    expect(embedText("Meeting notes from Monday", 8)).toHaveLength(8);
    expect(Math.hypot(...embedText("?!"))).toBeCloseTo(1, 10);
  });

  it("ranks paraphrases above unrelated text", () => {
    const query = embedText("How do I reset my password?");
    const related = cosineSimilarity(query, embedText("password reset instructions"));
    const unrelated = cosineSimilarity(query, embedText("quarterly revenue grew 12%"));
    expect(related).toBeGreaterThan(0.4);
    expect(related - unrelated).toBeGreaterThan(0.3);
    expect(cosineSimilarity(embedText("invoice from Acme"), embedText("Acme invoices"))).toBeGreaterThan(0.7);
  });

  it("encodes base64 as little-endian float32", () => {
    const bytes = Buffer.from(toBase64([1, -0.5]), "base64");
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([1, -0.5]);
  });
});
