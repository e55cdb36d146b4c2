import { describe, expect, it } from "vitest";
import { chunkText, type Chunk } from "./chunk";
import { MAX_TEXT_BYTES } from "./limits";

/** Every chunk is the source's own text at its offsets, non-empty, trimmed and within the size. */
function expectExact(text: string, chunks: Chunk[], size: number) {
  for (const chunk of chunks) {
    expect(text.slice(chunk.start, chunk.end)).toBe(chunk.content);
    expect(chunk.content.length).toBeGreaterThan(0);
    expect(chunk.content.length).toBeLessThanOrEqual(size);
    expect(chunk.content).toBe(chunk.content.trim());
  }
}

/**
 * Joining the chunks, each without the part it shares with the one before, gives back the source: nothing is
 * lost, reordered or rewritten, and only white space lies between chunks.
 */
function rebuild(text: string, chunks: Chunk[]): string {
  let rebuilt = "";
  let at = 0;
  for (const chunk of chunks) {
    if (chunk.start >= at) {
      const gap = text.slice(at, chunk.start);
      expect(gap.trim()).toBe("");
      rebuilt += gap + chunk.content;
    } else {
      expect(chunk.end).toBeGreaterThan(at); // an overlap never swallows a whole chunk
      rebuilt += chunk.content.slice(at - chunk.start);
    }
    at = chunk.end;
  }
  const tail = text.slice(at);
  expect(tail.trim()).toBe("");
  return rebuilt + tail;
}

/** No lone surrogate: no chunk starts or ends inside a surrogate pair. */
const wellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

const filler = (n: number) => Array.from({ length: n }, (_, i) => `Filler sentence ${i} pads the text.`).join(" ");

describe("chunking", () => {
  it("keeps short text whole, exactly as written", () => {
    expect(chunkText("One sentence. Another one.")).toEqual([{ content: "One sentence. Another one.", start: 0, end: 26 }]);
    const markdown = "# Title\n\n- first item\n- second item\n\nA line\r\nand its CRLF neighbour.";
    expect(chunkText(`\n\n  ${markdown}  \n`)).toEqual([{ content: markdown, start: 4, end: 4 + markdown.length }]);
  });

  it("returns nothing for empty or blank text", () => {
    expect(chunkText("")).toEqual([]);
    expect(chunkText(" \n\r\n\t ")).toEqual([]);
  });

  it("refuses an overlap that could stop it from moving forward", () => {
    expect(() => chunkText("text", { size: 100, overlap: 50 })).toThrow(RangeError);
    expect(() => chunkText("text", { size: 0 })).toThrow(RangeError);
  });

  it("stores numbers, URLs, emails and abbreviations byte for byte, and never ends a chunk inside them", () => {
    const tokens = [
      "Revenue grew to 4.7 million (up 12.5%).",
      "See https://intranet.example.com/q3?view=full&x=1.",
      "Write to bob@example.com or visit example.com.",
      "Dr. Smith and Mr. Jones agreed, e.g. on v1.2.3 and i.e. the U.S. plan.",
      "The chart ![q3](https://cdn.example.com/q3.png) shows Ça (ç) and ß.",
    ];
    for (const size of [60, 80, 120, 300]) {
      const text = `${filler(20)} ${tokens.join(" ")} ${filler(20)}`;
      const chunks = chunkText(text, { size, overlap: Math.floor(size / 4) });
      expectExact(text, chunks, size);
      for (const token of tokens.filter((t) => t.length <= size)) expect(chunks.some((c) => c.content.includes(token))).toBe(true);
      expect(chunks.map((c) => c.content).join(" ")).not.toMatch(/4\. 7|example\. com|bob@example\. com|12\. 5/);
    }
  });

  it("cuts between sentences, not after an abbreviation or inside a URL", () => {
    const text = "Ask Dr. Smith about it today please. The portal is at https://a.example/x?y=1 today. Last sentence here.";
    const ends = chunkText(text, { size: 40, overlap: 0 }).map((c) => c.content);
    expect(ends).toEqual(["Ask Dr. Smith about it today please.", "The portal is at", "https://a.example/x?y=1 today.", "Last sentence here."]);
  });

  it("keeps a Markdown table or code block whole when it fits, and never cuts a table row", () => {
    const table = ["| Item | Amount |", "| --- | ---: |", "| Laptop, 14 in. | 1,299.00 USD |", "| Mouse (wireless) | 24.50 USD |"].join("\n");
    const code = "```ts\nconst total = 4.7 * 1e6;\n\nfetch(\"https://api.example.com/v1\");\n```";
    const text = `${filler(6)}\n\n${table}\n\n${filler(6)}\n\n${code}\n\n${filler(6)}`;
    const chunks = chunkText(text, { size: 200, overlap: 40 });
    expectExact(text, chunks, 200);
    expect(chunks.some((c) => c.content.includes(table))).toBe(true);
    expect(chunks.some((c) => c.content.includes(code))).toBe(true);

    const bigTable = [table, ...Array.from({ length: 30 }, (_, i) => `| Row ${i}. with e.g. text | ${i}.5 USD |`)].join("\n");
    const rows = bigTable.split("\n");
    const bigChunks = chunkText(`Intro.\n\n${bigTable}\n\nOutro.`, { size: 200, overlap: 40 });
    for (const chunk of bigChunks) for (const line of chunk.content.split("\n")) if (line.startsWith("|")) expect(rows).toContain(line);
    expect(rebuild(`Intro.\n\n${bigTable}\n\nOutro.`, bigChunks)).toBe(`Intro.\n\n${bigTable}\n\nOutro.`);
  });

  it("treats a line wrapped mid-sentence as a space, and a list item or heading line as a line", () => {
    const prose = Array.from({ length: 12 }, (_, i) => `Clause ${i} of the travel policy covers trains, planes and hotel stays for trips abroad.`).join(" ");
    const wrapped = prose.replace(/(.{1,60})(?: |$)/g, "$1\n").trim(); // wrapped at 60 columns, as many Markdown files are
    for (const chunk of chunkText(wrapped, { size: 200, overlap: 50 }).slice(0, -1)) expect(chunk.content).toMatch(/abroad\.$/);

    const list = ["## Benefits", ...Array.from({ length: 20 }, (_, i) => `- Benefit ${i}: a gym pass or 40 EUR a month`)].join("\n");
    const items = chunkText(list, { size: 120, overlap: 0 });
    for (const chunk of items) for (const line of chunk.content.split("\n")) expect(list.split("\n")).toContain(line);
  });

  it("overlaps by whole sentences", () => {
    const sentences = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} says something useful about topic ${i}.`);
    const text = sentences.join(" ");
    const chunks = chunkText(text, { size: 300, overlap: 80 });
    expect(chunks.length).toBeGreaterThan(5);
    expectExact(text, chunks, 300);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i]!.start).toBeLessThan(chunks[i - 1]!.end);
      const lastOfPrevious = chunks[i - 1]!.content.match(/Sentence number \d+[^.]*\./g)!.at(-1)!;
      expect(chunks[i]!.content.startsWith(lastOfPrevious)).toBe(true);
    }
    expect(rebuild(text, chunks)).toBe(text);
  });

  it("splits CJK text at its own sentence marks and never splits a surrogate pair or an emoji", () => {
    const cjk = "我们的年假是二十五天。请提前两周告诉经理！报销单在月底前提交？好的。".repeat(12);
    const chunks = chunkText(cjk, { size: 50, overlap: 10 });
    expectExact(cjk, chunks, 50);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.content).toMatch(/[。！？]$/);
    expect(rebuild(cjk, chunks)).toBe(cjk);

    const emoji = "👍🏽👨‍👩‍👧😀".repeat(40);
    const emojiChunks = chunkText(emoji, { size: 45, overlap: 0 });
    expectExact(emoji, emojiChunks, 45);
    const clusters = new Set(["👍🏽", "👨‍👩‍👧", "😀"]);
    for (const chunk of emojiChunks) {
      expect(wellFormed(chunk.content)).toBe(true);
      for (const { segment } of new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(chunk.content)) expect(clusters).toContain(segment);
    }
    expect(rebuild(emoji, emojiChunks)).toBe(emoji);
  });

  it("cuts a word longer than a chunk", () => {
    const text = `${"x".repeat(2_500)}\n\n\n\nEnd.`;
    const chunks = chunkText(text, { size: 1_000 });
    expectExact(text, chunks, 1_000);
    expect(rebuild(text, chunks)).toBe(text);
  });

  it("chunks the largest allowed document without going quadratic", () => {
    const paragraph = `${filler(8)} See https://example.com/a.b?c=1 or mail a.b@example.com.\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`;
    const text = paragraph.repeat(Math.ceil(MAX_TEXT_BYTES / paragraph.length)).slice(0, MAX_TEXT_BYTES);
    const chunks = chunkText(text);
    expectExact(text, chunks, 1_000);
    expect(rebuild(text, chunks)).toBe(text);

    // Fences and tables with nothing in them, as many as fit: no block may be searched for from the top again.
    const hostile = "```\n|a|\n|-|\n~~~\n".repeat(MAX_TEXT_BYTES / 16);
    expect(rebuild(hostile, chunkText(hostile))).toBe(hostile);
    // No timed assertion: a chunker that searched from the top again would take hours here, not seconds, and the
    // generous timeout catches that on a busy machine without failing a fast one. `npm run bench:ingest` times it.
  }, 180_000);

  it("reproduces any text from its chunks (random text with many separators)", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pieces = [
      "word", "Dr.", "4.7", "e.g.", "https://x.example/a?b=1.", "bob@example.com", ". ", "! ", "? ", "。", "\n", "\n\n", "\r\n", " ", "  ",
      "| a | b |\n|---|---|\n| 1 | 2 |\n", "```\ncode();\n\nmore();\n```\n", "😀", "👍🏽", "é", "中文", "\t", "...", "(", ")", "—",
    ];
    for (let run = 0; run < 300; run++) {
      const length = Math.floor(random() * 400);
      const text = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]!).join("");
      const size = 20 + Math.floor(random() * 200);
      const overlap = Math.floor(random() * (size / 2));
      const chunks = chunkText(text, { size, overlap });
      expectExact(text, chunks, size);
      expect(rebuild(text, chunks)).toBe(text);
      for (const chunk of chunks) expect(wellFormed(chunk.content)).toBe(true);
    }
  });
});
