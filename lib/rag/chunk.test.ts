import { describe, expect, it } from "vitest";
import { chunkText } from "./chunk";

describe("chunking", () => {
  it("keeps short text whole", () => {
    expect(chunkText("One sentence. Another one.")).toEqual(["One sentence. Another one."]);
  });

  it("splits long text into chunks no bigger than the size, overlapping by whole sentences", () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something useful about topic ${i}.`);
    const chunks = chunkText(sentences.join(" "), { size: 300, overlap: 80 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(300);
    for (let i = 1; i < chunks.length; i++) {
      const lastOfPrevious = chunks[i - 1]!.match(/Sentence number \d+[^.]*\./g)!.at(-1)!;
      expect(chunks[i]!.startsWith(lastOfPrevious)).toBe(true);
    }
    // Every sentence survives.
    for (const sentence of sentences) expect(chunks.some((c) => c.includes(sentence))).toBe(true);
  });

  it("cuts a sentence longer than a chunk and drops empty paragraphs", () => {
    const chunks = chunkText(`${"x".repeat(2_500)}\n\n\n\nEnd.`, { size: 1_000 });
    expect(chunks.join("")).toContain("End.");
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(1_000);
  });

  it("never breaks decimals, email addresses, URLs or Markdown inside a sentence", () => {
    const text =
      "Revenue grew to 4.2 million (up 12.5%). Ask bob@example.com or see https://intranet.example.com/q3?view=full. ![chart](https://cdn.example.com/q3.png) Ça va? Oui!";
    expect(chunkText(text)).toEqual([text]);
    const chunks = chunkText(`${"Filler sentence here. ".repeat(60)}${text}`, { size: 300, overlap: 0 });
    expect(chunks.join(" ")).toContain("4.2 million (up 12.5%).");
    expect(chunks.join(" ")).toContain("https://intranet.example.com/q3?view=full.");
  });
});
