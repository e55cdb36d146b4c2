import { sentenceEnds } from "../../lib/rag/chunk";
import { COMMAND_CONCEPTS, WEAK_CONCEPTS, concept } from "./concepts";
import { isStopword, words } from "./text";

/** A passage of a document as a search tool returns it: the words, whose they are, and where they lie. */
interface Passage {
  source: string;
  text: string;
  /** The passage number, when the tool gives one. */
  number?: number;
  /** Where `text` starts in the document (UTF-16 code units), when the tool gives it. */
  start?: number;
}

const TEXT_KEYS = ["text", "content", "excerpt", "quote"];
const SOURCE_KEYS = ["document", "documentName", "source", "file", "title", "name"];
const MAX_QUOTE = 600;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const stringAt = (item: Record<string, unknown>, keys: string[]) => keys.map((k) => item[k]).find((v): v is string => typeof v === "string" && v.trim() !== "");

/** Passages, if the result is a list of them (or an object holding one list of them), best first as the tool ranked them. */
function passagesIn(value: unknown): Passage[] | undefined {
  const arrays = Array.isArray(value) ? [value] : isRecord(value) ? Object.values(value).filter(Array.isArray) : [];
  if (arrays.length !== 1 || arrays[0]!.length === 0) return undefined;
  const passages: Passage[] = [];
  for (const item of arrays[0]!) {
    if (!isRecord(item)) return undefined;
    const text = stringAt(item, TEXT_KEYS);
    const source = stringAt(item, SOURCE_KEYS);
    if (!text || !source || text === source) return undefined;
    const characters = isRecord(item.characters) && typeof item.characters.start === "number" ? item.characters.start : undefined;
    passages.push({ source, text, number: typeof item.passage === "number" ? item.passage : undefined, start: characters });
  }
  return passages;
}

/** The words of a question that say what it is about ("vacation", "days"), not how it is asked ("how", "what"). */
function topicTerms(text: string): Set<string> {
  return new Set(
    words(text)
      .filter((w) => !isStopword(w.lower))
      .map((w) => concept(w.stem))
      .filter((c) => !WEAK_CONCEPTS.has(c) && !COMMAND_CONCEPTS.has(c)),
  );
}

interface Sentence {
  passage: Passage;
  /** Where the sentence starts and ends in the passage's text. */
  start: number;
  end: number;
  score: number;
}

const HEADING = /^#{1,6}\s/;

/** The passage's sentences as the app's chunker sees them, so "https://x.example/a?b=1." stays one sentence. */
function sentencesOf(passage: Passage, terms: Set<string>): Sentence[] {
  const bounds = [0, ...sentenceEnds(passage.text), passage.text.length];
  return bounds.slice(1).flatMap((end, i) => {
    const index = bounds[i]!;
    const trimmed = passage.text.slice(index, end).trimEnd();
    const start = index + (trimmed.length - trimmed.trimStart().length);
    if (trimmed.trim() === "") return [];
    const found = new Set(words(trimmed).map((w) => concept(w.stem)).filter((c) => terms.has(c)));
    return [{ passage, start, end: index + trimmed.length, score: found.size }];
  });
}

/** The quote: the sentence, or a heading with the sentence after it, cut to a readable length at a word. */
function quoteOf(sentences: Sentence[], best: Sentence): { start: number; end: number } {
  const { start } = best;
  let { end } = best;
  const text = best.passage.text;
  if (HEADING.test(text.slice(start, end))) end = sentences.find((s) => s.passage === best.passage && s.start >= end)?.end ?? end;
  if (end - start > MAX_QUOTE) end = start + Math.max(text.lastIndexOf(" ", start + MAX_QUOTE) - start, MAX_QUOTE / 2);
  return { start, end };
}

function citation(passage: Passage, quote: { start: number; end: number }): string {
  const where = [
    ...(passage.number === undefined ? [] : [`passage ${passage.number}`]),
    // Counted from 1 for readers; the tool's offsets count from 0.
    ...(passage.start === undefined ? [] : [`characters ${passage.start + quote.start + 1}–${passage.start + quote.end}`]),
  ];
  return `**${passage.source}**${where.length > 0 ? ` (${where.join(", ")})` : ""}`;
}

const blockquote = (text: string) => text.split(/\r?\n/).map((line) => `> ${line}`.trimEnd()).join("\n");

/**
 * The answer to a question from the passages a document search returned, as a model would write it: the sentence
 * that best answers it (most of the question's topic words; the search's ranking breaks ties), quoted word for
 * word with its document's name and place, then the other documents that also speak to it. When no sentence shares
 * a topic word with the question, it says so and quotes the closest passage. Undefined if the result holds no passages.
 */
export function answerFromPassages(value: unknown, question: string): string | undefined {
  const passages = passagesIn(value);
  if (!passages) return undefined;
  const terms = topicTerms(question);
  const sentences = passages.flatMap((p) => sentencesOf(p, terms));
  const best = sentences.reduce<Sentence | undefined>((top, s) => (!top || s.score > top.score ? s : top), undefined);
  if (!best) return undefined;
  const quote = quoteOf(sentences, best);
  const quoted = blockquote(best.passage.text.slice(quote.start, quote.end).trim());
  if (best.score === 0) {
    return `None of the passages I found answers that directly. The closest is from ${citation(best.passage, quote)}:\n\n${quoted}`;
  }
  const others = [...new Set(sentences.filter((s) => s.score > 0 && s.passage.source !== best.passage.source).map((s) => s.passage.source))];
  const more = others.length > 0 ? `\n\nAlso mentioned in: ${others.map((source) => `**${source}**`).join(", ")}.` : "";
  return `From ${citation(best.passage, quote)}:\n\n${quoted}${more}`;
}
