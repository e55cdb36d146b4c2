import { WEAK_CONCEPTS, contentConcepts } from "./concepts";
import { findDates, findEmails, findTimes, overlaps } from "./extract";
import { objectShape } from "./json-schema";
import { identifierWords, words } from "./text";
import type { ChatTool } from "./wire";

export interface ToolScore {
  tool: ChatTool;
  /** Position in the request's `tools`, the last tie-breaker. */
  index: number;
  score: number;
  /** Share of the message's concepts the tool's vocabulary covers. */
  coverage: number;
  /** Matched concepts, other than weak ones such as "what" or "list", found in the name or description. */
  strongMatches: number;
  /** Those of them found in the tool's name. */
  nameMatches: number;
}

// A word in the tool's name says more about what it does than one in its description or parameters.
const NAME_WEIGHT = 3;
const DESCRIPTION_WEIGHT = 1;
const PARAMETER_WEIGHT = 0.5;
const WEAK_FACTOR = 0.4;

function vocabulary(tool: ChatTool): Map<string, number> {
  const vocab = new Map<string, number>();
  const add = (concepts: string[], weight: number) => {
    for (const c of concepts) vocab.set(c, Math.max(vocab.get(c) ?? 0, weight));
  };
  add(contentConcepts(identifierWords(tool.function.name)), NAME_WEIGHT);
  add(contentConcepts(words(tool.function.description ?? "")), DESCRIPTION_WEIGHT);
  for (const [name, schema] of Object.entries(objectShape(tool.function.parameters).properties)) {
    const enumText = Array.isArray(schema.enum) ? schema.enum.join(" ") : "";
    const description = typeof schema.description === "string" ? schema.description : "";
    add(contentConcepts([...identifierWords(name), ...words(`${description} ${enumText}`)]), PARAMETER_WEIGHT);
  }
  return vocab;
}

/** What the message is about: its content words, with dates, times and emails standing in for their words. */
export function messageConcepts(text: string, now: Date): Set<string> {
  const values = [
    ...findDates(text, now).map((f) => ({ ...f, concept: "date" })),
    ...findTimes(text).map((f) => ({ ...f, concept: "time" })),
    ...findEmails(text).map((f) => ({ ...f, concept: "email" })),
  ];
  const plainWords = words(text).filter((w) => !values.some((v) => overlaps(v, w)));
  return new Set([...contentConcepts(plainWords), ...values.map((v) => v.concept)]);
}

/**
 * Scores every tool against the message, best first. A concept counts its heaviest place in the tool
 * (name > description > parameters), scaled by rarity across the offered tools so that a word all of
 * them share ("user", "list") cannot decide between them.
 */
export function rankTools(text: string, tools: ChatTool[], now: Date): ToolScore[] {
  const asked = messageConcepts(text, now);
  const vocabularies = tools.map(vocabulary);
  const documentFrequency = (c: string) => vocabularies.filter((v) => v.has(c)).length;
  const scores = tools.map((tool, index) => {
    const vocab = vocabularies[index]!;
    let score = 0;
    let matched = 0;
    let strongMatches = 0;
    let nameMatches = 0;
    for (const c of asked) {
      const weight = vocab.get(c);
      if (weight === undefined) continue;
      matched += 1;
      if (!WEAK_CONCEPTS.has(c) && weight >= DESCRIPTION_WEIGHT) strongMatches += 1;
      if (!WEAK_CONCEPTS.has(c) && weight === NAME_WEIGHT) nameMatches += 1;
      const rarity = Math.log2(1 + tools.length / documentFrequency(c));
      score += weight * rarity * (WEAK_CONCEPTS.has(c) ? WEAK_FACTOR : 1);
    }
    return { tool, index, score, coverage: asked.size === 0 ? 0 : matched / asked.size, strongMatches, nameMatches };
  });
  return scores.sort((a, b) => b.score - a.score || b.coverage - a.coverage || a.index - b.index);
}

/**
 * Enough evidence to act: a telling word in the tool's name or description (parameters alone, or
 * weak words like "what", never suffice), covering the whole of a short message ("Who am I?") or a
 * fair share of a longer one: a fifth when the tool's name matched ("Add a task: buy milk"), a third
 * when only its description did, so "Who won the world cup?" does not fetch the user's profile.
 */
export function isConfident(s: ToolScore): boolean {
  if (s.strongMatches === 0) return false;
  if (s.coverage === 1) return true;
  return s.score >= 1 && s.coverage >= (s.nameMatches > 0 ? 0.2 : 0.34);
}
