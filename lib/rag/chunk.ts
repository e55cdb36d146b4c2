/**
 * A passage of a document: `text.slice(start, end) === content`, offsets in UTF-16 code units (JavaScript string
 * indices) into the document's extracted text, so a passage can be cited and found again exactly as written.
 */
export interface Chunk {
  content: string;
  start: number;
  end: number;
}

/**
 * Where a chunk may end, best first. Structure beats sentences, sentences beat words: a chunk ends at a blank line
 * or at the edge of a table or code block if it can, else at the end of a Markdown line (list item, heading) or of a
 * line that ends a sentence, at a sentence end, at a line inside a table or code block too big for one chunk, and
 * only then between words (a line wrapped mid-sentence counts as a space).
 */
const Break = { Word: 1, BlockLine: 2, Sentence: 3, Line: 4, Paragraph: 5 } as const;
type Break = (typeof Break)[keyof typeof Break];

/**
 * Cuts text into chunks of at most `size` code units, each an exact substring of it (leading and trailing white
 * space left out). A chunk ends at the best break in the second half of its window (see Break), or failing that
 * anywhere in it, or failing that at the last grapheme boundary, so no surrogate pair or emoji sequence is ever
 * cut. Each chunk after the first repeats the whole sentences (or lines) of up to `overlap` code units that ended
 * the one before it, so a passage cut at one chunk's end is whole in the next.
 */
export function chunkText(text: string, { size = 1_000, overlap = 200 } = {}): Chunk[] {
  if (!(size > 0) || !(overlap >= 0 && overlap < size / 2)) throw new RangeError("chunkText needs size > 0 and 0 ≤ overlap < size / 2");
  const breaks = breakPositions(text, size);
  const chunks: Chunk[] = [];
  let start = skipSpace(text, 0);
  let next = 0; // index into `breaks` of the first break after `start`
  let previousCut = start;
  while (start < text.length) {
    while (next < breaks.count && breaks.at[next]! <= start) next++;
    const limit = start + size;
    if (text.length <= limit) {
      chunks.push(chunk(text, start, text.length));
      break;
    }
    // Past the previous cut, so each chunk adds text the one before did not have.
    const after = Math.max(start, previousCut);
    const cut = bestBreak(breaks, next, start + size / 2, limit, after) ?? graphemeCut(text, after, limit);
    chunks.push(chunk(text, start, cut));
    start = skipSpace(text, overlapStart(breaks, next, cut - overlap, cut) ?? cut);
    previousCut = cut;
  }
  return chunks.filter((c) => c.content.length > 0);
}

/** Every place a chunk may end, in order, with its strength (two arrays: there are millions in a large document). */
interface Breaks {
  at: Int32Array;
  strength: Uint8Array;
  count: number;
}

function bestBreak(breaks: Breaks, from: number, preferredFrom: number, limit: number, after: number): number | undefined {
  let best = -1;
  let bestPreferred = -1;
  for (let i = from; i < breaks.count && breaks.at[i]! <= limit; i++) {
    const at = breaks.at[i]!;
    if (at <= after) continue;
    const strength = breaks.strength[i]!;
    if (best === -1 || strength >= breaks.strength[best]!) best = i;
    if (at >= preferredFrom && (bestPreferred === -1 || strength >= breaks.strength[bestPreferred]!)) bestPreferred = i;
  }
  const chosen = bestPreferred === -1 ? best : bestPreferred;
  return chosen === -1 ? undefined : breaks.at[chosen];
}

/** The earliest sentence-or-better break in [from, end): the next chunk starts there. */
function overlapStart(breaks: Breaks, first: number, from: number, end: number): number | undefined {
  for (let i = first; i < breaks.count && breaks.at[i]! < end; i++) if (breaks.at[i]! >= from && breaks.strength[i]! >= Break.Sentence) return breaks.at[i];
  return undefined;
}

function chunk(text: string, start: number, end: number): Chunk {
  let trimmedEnd = end;
  while (trimmedEnd > start && isSpace(text.charCodeAt(trimmedEnd - 1))) trimmedEnd--;
  return { content: text.slice(start, trimmedEnd), start, end: trimmedEnd };
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
/** Longer than any grapheme a reader would meet; beyond it a cluster may be cut, but never a surrogate pair. */
const GRAPHEME_LOOKBACK = 64;

/** The last grapheme boundary after `after` and at most `limit`. */
function graphemeCut(text: string, after: number, limit: number): number {
  const from = Math.max(after, limit - GRAPHEME_LOOKBACK);
  let cut = from;
  for (const { index } of graphemes.segment(text.slice(from, limit + 1))) {
    if (from + index > limit) break;
    cut = from + index;
  }
  if (cut > after) return cut;
  return /[\uDC00-\uDFFF]/.test(text[limit] ?? "") && /[\uD800-\uDBFF]/.test(text[limit - 1]!) ? limit - 1 : limit;
}

/** Every position where a chunk may end, in order, each with its strength. */
function breakPositions(text: string, size: number): Breaks {
  const blocks = protectedBlocks(text);
  // A slot per position of the text: offers come in any order, and none needs sorting afterwards.
  const strengths = new Uint8Array(text.length + 1);
  const blockAt = (at: number) => blockContaining(blocks, at);
  const offer = (at: number, s: Break) => {
    if (at > 0 && at < text.length && strengths[at]! < s) strengths[at] = s;
  };
  // Inside a table or code block only its line breaks count, and only when the block is too big for one chunk.
  for (let runStart = 0; runStart < text.length; runStart++) {
    if (!isSpace(text.charCodeAt(runStart))) continue;
    let at = runStart;
    let lines = 0;
    for (; at < text.length && isSpace(text.charCodeAt(at)); at++) if (text.charCodeAt(at) === NEWLINE) lines++;
    const block = blockAt(at);
    if (block) {
      if (lines > 0 && block.end - block.start > size) offer(at, Break.BlockLine);
    } else if (lines > 1) offer(at, Break.Paragraph);
    else offer(at, lines === 1 && endsLine(text, runStart, at) ? Break.Line : Break.Word);
    runStart = at;
  }
  for (const block of blocks) {
    offer(block.start, Break.Paragraph);
    offer(skipSpace(text, block.end), Break.Paragraph);
  }
  // Unicode may end a sentence inside a run of white space ("a.\n  b"); every cut falls at the end of the run.
  for (const end of sentenceEnds(text)) {
    const at = skipSpace(text, end);
    if (!blockAt(at)) offer(at, Break.Sentence);
  }
  let count = 0;
  for (let at = 1; at < text.length; at++) if (strengths[at]! > 0) count++;
  const breaks: Breaks = { at: new Int32Array(count), strength: new Uint8Array(count), count };
  for (let at = 1, i = 0; at < text.length; at++) {
    if (strengths[at] === 0) continue;
    breaks.at[i] = at;
    breaks.strength[i++] = strengths[at]!;
  }
  return breaks;
}

const NEWLINE = 0x0a;

/** Exactly the characters of JavaScript's `\s`, without running a regular expression per character. */
function isSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

const sentences = new Intl.Segmenter(undefined, { granularity: "sentence" });
/** Abbreviations after which a capitalised word does not start a sentence ("Dr. Smith", "e.g. Alice"). */
const ABBREVIATION = /(?:^|[\s([{"'])(?:[A-Z]|Dr|Mr|Mrs|Ms|Prof|Sr|Jr|St|Mt|vs|cf|ca|approx|No|Nr|Fig|e\.g|i\.e|z\.B|u\.a|d\.h|bzw)\.\s+$/;
/** Sentence terminators that need no space after them (Chinese, Japanese, Devanagari, Arabic…). */
const UNSPACED_TERMINATOR = /[\u3002\uFF01\uFF1F\uFF0E\uFF61\u0964\u0965\u061F\u06D4]$/u;

/**
 * Sentence ends as Unicode's rules (UAX #29, via Intl.Segmenter) see them, less the ones a reader would not: a break
 * not after white space lies inside a token such as "https://x.example/a?b=1", unless it follows a terminator that
 * takes no space ("。"), and one after a known abbreviation only ends the abbreviation.
 */
export function* sentenceEnds(text: string): Generator<number> {
  for (const { index } of sentences.segment(text)) {
    if (index === 0) continue;
    const before = text.slice(Math.max(0, index - 12), index);
    if (!/\s$/.test(before)) {
      if (UNSPACED_TERMINATOR.test(before)) yield index;
      continue;
    }
    let contentEnd = index;
    while (contentEnd > 0 && /\s/.test(text[contentEnd - 1]!)) contentEnd--;
    // UAX #29 ends a sentence at every line break; a hard-wrapped line does not end one.
    const afterLineBreak = text.slice(contentEnd, index).includes("\n");
    if (afterLineBreak ? endsLine(text, contentEnd, index) : !ABBREVIATION.test(before)) yield index;
  }
}

const TERMINATED = /[.!?…:;\u3002\uFF01\uFF1F]["'”’)\]]*$/u;
/** Lines that stand on their own in Markdown: headings, list items, quotes, table rows, fences. */
const STRUCTURE_LINE = /^[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}[ \t]|>|\||```|~~~)/;

/**
 * Whether the line break between `lineEnd` (the end of a line's text) and `nextStart` (the next line's first
 * character) is one a reader sees: the line ends a sentence, or either line is Markdown structure. Otherwise the
 * line was wrapped to fit a width (as in many Markdown files and most PDFs) and the break is only a space.
 */
function endsLine(text: string, lineEnd: number, nextStart: number): boolean {
  const line = text.slice(text.lastIndexOf("\n", lineEnd - 1) + 1, lineEnd);
  return TERMINATED.test(line) || STRUCTURE_LINE.test(line) || STRUCTURE_LINE.test(text.slice(nextStart, nextStart + 16));
}

interface Block {
  start: number;
  end: number;
}

/** The block strictly around `at`, by binary search (blocks are in order and disjoint). */
function blockContaining(blocks: Block[], at: number): Block | undefined {
  let low = 0;
  let high = blocks.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const block = blocks[middle]!;
    if (at <= block.start) high = middle - 1;
    else if (at >= block.end) low = middle + 1;
    else return block;
  }
  return undefined;
}

/** Fenced code blocks and Markdown tables: whole lines, from the start of the first to the end of the last. */
function protectedBlocks(text: string): Block[] {
  const lines = [...text.matchAll(/[^\n]*(?:\n|$)/g)].filter((m) => m[0].length > 0).map((m) => ({ start: m.index, text: m[0].replace(/\r?\n$/, "") }));
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(lines[i]!.text)?.[1];
    let last = i;
    if (fence) {
      const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
      last = i + 1;
      while (last < lines.length - 1 && !closing.test(lines[last]!.text)) last++;
      last = Math.min(last, lines.length - 1);
    } else if (lines[i]!.text.includes("|") && TABLE_DELIMITER_ROW.test(lines[i + 1]?.text ?? "")) {
      last = i + 1;
      while (last + 1 < lines.length && lines[last + 1]!.text.includes("|") && lines[last + 1]!.text.trim() !== "") last++;
    } else continue;
    const lastLine = lines[last]!;
    blocks.push({ start: lines[i]!.start, end: lastLine.start + lastLine.text.length });
    i = last;
  }
  return blocks;
}

/** GFM's delimiter row under a table's header: "| --- | :-: |". */
const TABLE_DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$/;
