import { COMMAND_CONCEPTS, WEAK_CONCEPTS, concept } from "./concepts";
import {
  findDates,
  findEmails,
  findHashtags,
  findNumbers,
  findQuoted,
  findSlugs,
  findTimes,
  formatDate,
  overlaps,
  type Found,
  type Span,
} from "./extract";
import { accepts, enumValues, objectShape, schemaType, unwrapNullable } from "./json-schema";
import { identifierWords, isStopword, stem, words, type Word } from "./text";
import type { ChatTool, JsonSchema } from "./wire";

export interface MissingParam {
  name: string;
  description?: string;
}

export type FilledArguments = { ok: true; args: Record<string, unknown> } | { ok: false; missing: MissingParam[] };

type Kind =
  | "enum"
  | "boolean"
  | "number"
  | "datetime"
  | "date"
  | "time"
  | "email"
  | "channel"
  | "repo"
  | "freetext"
  | "identifier"
  | "other";

interface Param {
  name: string;
  description?: string;
  /** The whole property schema, nullable branch removed. */
  schema: JsonSchema;
  /** The schema of one value: `items` for arrays, else `schema`. */
  item: JsonSchema;
  isArray: boolean;
  nullable: boolean;
  required: boolean;
  kind: Kind;
  nameStems: Set<string>;
}

// In order of preference for which free-text parameter gets the message: a search `query` before a `title`.
const FREE_TEXT = [
  "query", "q", "question", "text", "prompt", "search", "message", "body", "content", "input", "request", "instruction",
  "keyword", "term", "topic", "comment", "note", "description", "summary", "reason", "subject", "title",
].map(stem);
const END_OF_RANGE = ["end", "max", "until", "to", "before", "finish"];
const FILLER = new Set(["say", "says", "saying", "said", "called", "named", "titled", "regarding"]);
const NEGATION = /^(?:no|not|without|exclud\w*|never|skip|hide|dont|\w+n['’]t)$/i;
const GENERIC_FLAG_STEMS = new Set(["include", "only", "is", "has", "show", "with", "should", "enable", "flag", "whether", "all"].map(stem));

function stems(text: string | undefined, split: (t: string) => Word[] = words): Set<string> {
  return new Set(split(text ?? "").map((w) => w.stem));
}

function kindFromStems(s: Set<string>): Kind | undefined {
  const has = (...candidates: string[]) => candidates.some((c) => s.has(c));
  if (has("datetime", "timestamp") || (has("date", "day") && has("time"))) return "datetime";
  if (has("date", "day")) return "date";
  if (has("time", "hour", "clock")) return "time";
  if (has("email", "recipient", "cc", "bcc")) return "email";
  if (has("channel")) return "channel";
  if (has("repository", "repo", "owner")) return "repo";
  if (FREE_TEXT.some((f) => s.has(f))) return "freetext";
  return undefined;
}

function classify(item: JsonSchema, nameStems: Set<string>, description: string | undefined): Kind {
  if (enumValues(item)) return "enum";
  const type = schemaType(item);
  if (type === "boolean") return "boolean";
  if (type === "number" || type === "integer") return "number";
  if (type !== "string") return "other";
  const byFormat: Record<string, Kind> = { "date-time": "datetime", date: "date", time: "time", email: "email" };
  const format = typeof item.format === "string" ? byFormat[item.format] : undefined;
  // A format is machine-checked, so it wins; then the name, the author's clearest statement of intent,
  // before the description, which often mentions other things ("Email subject line").
  return format ?? kindFromStems(nameStems) ?? kindFromStems(stems(description)) ?? "identifier";
}

function toParams(tool: ChatTool): Param[] {
  const { properties, required } = objectShape(tool.function.parameters);
  return Object.entries(properties).map(([name, raw]) => {
    const { schema, nullable } = unwrapNullable(raw);
    const isArray = schemaType(schema) === "array";
    const item = isArray && typeof schema.items === "object" && schema.items !== null ? unwrapNullable(schema.items as JsonSchema).schema : schema;
    const description = typeof schema.description === "string" ? schema.description : undefined;
    const nameStems = stems(name, identifierWords);
    return { name, description, schema, item, isArray, nullable, required: required.has(name), kind: classify(item, nameStems, description), nameStems };
  });
}

/**
 * Fills a tool's arguments from a user message using its JSON schema. Specific values (enum words,
 * emails, dates, times, #channels, owner/repo, numbers, flags, quotes) are taken first and their words
 * used up, so a free-text parameter such as `query` gets what is left: the message minus command words,
 * stopwords and the tool's own name ("Find the invoice from Acme in my email" → "invoice from Acme").
 * A required parameter it cannot fill is reported missing rather than guessed; optional ones are omitted.
 */
export function fillArguments(tool: ChatTool, text: string, now: Date): FilledArguments {
  const params = toParams(tool);
  const args: Record<string, unknown> = {};
  const consumed: Span[] = [];
  const messageWords = words(text);
  const toolNameConcepts = new Set(identifierWords(tool.function.name).map((w) => concept(w.stem)));

  const isFree = (span: Span) => !consumed.some((c) => overlaps(c, span));
  const unfilled = (kinds: Kind[]) => params.filter((p) => !(p.name in args) && kinds.includes(p.kind));

  /** Sets the first candidate the schema accepts; arrays get every candidate that fits. */
  const assign = (param: Param, candidates: unknown[], spans: Span[] = []): boolean => {
    const fitting = candidates.filter((c) => accepts(param.item, c));
    const value = param.isArray ? fitting : fitting[0];
    if (value === undefined || !accepts(param.schema, value) || (param.isArray && fitting.length === 0)) return false;
    args[param.name] = value;
    consumed.push(...spans);
    return true;
  };

  const takeInOrder = <T>(kinds: Kind[], found: Found<T>[], toCandidates: (value: T, param: Param) => unknown[]) => {
    const available = found.filter(isFree);
    unfilled(kinds).forEach((param, i) => {
      if (param.isArray) {
        assign(param, available.flatMap((f) => toCandidates(f.value, param)), available);
        return;
      }
      // A second date parameter ("end") reuses the last date only when it must be given.
      const f = available[i] ?? (param.required ? available.at(-1) : undefined);
      if (f) assign(param, toCandidates(f.value, param), [f]);
    });
  };

  for (const param of unfilled(["enum"])) {
    const mentions = (enumValues(param.item) ?? []).flatMap((value) => {
      const span = mentionOf(text, value);
      return span && isFree(span) ? [{ value, ...span }] : [];
    });
    mentions.sort((a, b) => a.start - b.start);
    assign(param, mentions.map((m) => m.value), mentions);
  }

  takeInOrder(["email"], findEmails(text), (email) => [email]);

  const dates = findDates(text, now).filter(isFree);
  const times = findTimes(text).filter(isFree);
  takeInOrder(["date"], dates, (date) => [date]);
  takeInOrder(["time"], times, (time) => [time, `${time}:00`]);
  unfilled(["datetime"]).forEach((param, i) => {
    const date = dates[i] ?? dates.at(-1);
    const time = times[i] ?? times.at(-1);
    if (!date && !time) return;
    const day = date?.value ?? formatDate(now);
    const clock = time?.value ?? "00:00";
    const [y, m, d] = day.split("-").map(Number) as [number, number, number];
    const [hh, mm] = clock.split(":").map(Number) as [number, number];
    // "today" as the end of a range (`timeMax`, `end`) means up to midnight after it, not the midnight before.
    const endOfDay = !time && END_OF_RANGE.some((e) => param.nameStems.has(e)) ? 1 : 0;
    const local = new Date(y, m - 1, d + endOfDay, hh, mm);
    const instant = local.toISOString().replace(/\.\d{3}Z$/, "Z");
    const wallClock = `${formatDate(local)}T${clock}:00`;
    assign(param, [instant, wallClock], [date, time].filter((s): s is Found<string> => s !== undefined));
  });

  takeInOrder(["channel"], findHashtags(text), (channel) => [channel, `#${channel}`]);
  // One "owner/repo" slug answers both an `owner` and a `repo` parameter.
  const slug = findSlugs(text).find(isFree);
  if (slug) {
    const [owner, repo] = slug.value.split("/") as [string, string];
    const hasOwnerParam = params.some((p) => p.kind === "repo" && p.nameStems.has("owner"));
    for (const param of unfilled(["repo"])) {
      assign(param, param.nameStems.has("owner") ? [owner] : hasOwnerParam ? [repo] : [slug.value, repo], [slug]);
    }
  }

  fillNumbers(unfilled(["number"]), findNumbers(text).filter(isFree), messageWords, assign);

  for (const param of unfilled(["boolean"])) {
    const flagStems = [...param.nameStems].filter((s) => !GENERIC_FLAG_STEMS.has(s));
    const index = messageWords.findIndex((w) => isFree(w) && flagStems.includes(w.stem));
    if (index < 0) continue;
    const negation = messageWords.slice(Math.max(0, index - 3), index).find((w) => NEGATION.test(w.raw));
    assign(param, [!negation], [messageWords[index]!, ...(negation ? [negation] : [])]);
  }

  for (const quote of findQuoted(text).filter(isFree)) {
    const before = messageWords.filter((w) => w.end <= quote.start).slice(-4);
    const stringParams = unfilled(["freetext", "identifier", "channel", "repo"]);
    const named = stringParams.find((p) => before.some((w) => p.nameStems.has(w.stem)));
    const target = named ?? rankFreeText(unfilled(["freetext"]))[0] ?? unfilled(["identifier"])[0];
    if (target) assign(target, [quote.value], [quote]);
  }

  for (const param of unfilled(["identifier", "channel", "repo"])) {
    const found = valueNextTo(text, messageWords, param, isFree);
    if (found) assign(param, [found.value], found.spans);
  }

  const freeText = rankFreeText(unfilled(["freetext"]));
  const requiredNames = unfilled(["identifier"]).filter((p) => p.required && !p.nullable);
  // Without a free-text parameter, a lone required name ("city") is what a short remainder is about.
  const primary = freeText.find((p) => p.required) ?? freeText[0] ?? (requiredNames.length === 1 ? requiredNames[0] : undefined);
  if (primary) {
    const content = contentSpan(text, messageWords, (w) =>
      isFree(w) && !isStopword(w.lower) && !FILLER.has(w.lower) && !toolNameConcepts.has(concept(w.stem)) &&
      !COMMAND_CONCEPTS.has(concept(w.stem)) && !WEAK_CONCEPTS.has(concept(w.stem)),
    );
    if (content && (primary.kind === "freetext" || content.split(/\s+/).length <= 4)) {
      const limit = typeof primary.item.maxLength === "number" ? primary.item.maxLength : Infinity;
      assign(primary, [content.slice(0, limit)]);
      // A required title or subject next to the body gets the opening words rather than a question back.
      for (const other of freeText.filter((p) => p !== primary && p.required)) {
        assign(other, [content.split(/\s+/).slice(0, 8).join(" ")]);
      }
    }
  }

  const missing: MissingParam[] = [];
  for (const param of params) {
    if (param.name in args || !param.required) continue;
    if (param.schema.default !== undefined) args[param.name] = param.schema.default;
    else if (param.nullable) args[param.name] = null;
    else if (param.isArray && accepts(param.schema, [])) args[param.name] = [];
    else missing.push({ name: param.name, description: param.description });
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, args };
}

function rankFreeText(params: Param[]): Param[] {
  const rank = (p: Param) => Math.min(...[...p.nameStems].map((s) => FREE_TEXT.indexOf(s)).filter((i) => i >= 0), FREE_TEXT.length);
  return [...params].sort((a, b) => rank(a) - rank(b));
}

/** Where an enum value ("in_progress", "high") is mentioned, allowing spaces for separators and a plural. */
function mentionOf(text: string, value: unknown): Span | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const parts = String(value).split(/[\s_\-]+/).filter(Boolean).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (parts.length === 0) return undefined;
  const match = new RegExp(`(?<![\\p{L}\\p{N}])${parts.join("[\\s_-]*")}(?:e?s)?(?![\\p{L}\\p{N}])`, "iu").exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
}

function fillNumbers(
  params: Param[],
  numbers: Found<number>[],
  messageWords: Word[],
  assign: (param: Param, candidates: unknown[], spans: Span[]) => boolean,
): void {
  const used = new Set<Found<number>>();
  const filled = new Set<Param>();
  const take = (param: Param, n: Found<number>) => {
    const min = typeof param.item.minimum === "number" ? param.item.minimum : -Infinity;
    const max = typeof param.item.maximum === "number" ? param.item.maximum : Infinity;
    // "Show me 500 repos" against `maximum: 100` means "as many as allowed", not "ask me again".
    if (assign(param, [Math.min(max, Math.max(min, n.value))], [n])) {
      used.add(n);
      filled.add(param);
    }
  };
  // A number right next to a word of the parameter's name ("limit 5", "5 results" for `maxResults`) is its value.
  for (const param of params) {
    const near = numbers.find((n) => {
      if (used.has(n)) return false;
      const after = messageWords.findIndex((w) => w.start >= n.end);
      const before = (after < 0 ? messageWords.length : after) - 1;
      const neighbours = [messageWords[before - 1], messageWords[before], messageWords[after], messageWords[after + 1]];
      return neighbours.some((w) => w !== undefined && !overlaps(w, n) && param.nameStems.has(w.stem));
    });
    if (near) take(param, near);
  }
  // Otherwise a lone number parameter takes the first number nobody else used; among several, the one the
  // tool requires does ("Buy 2 widgets" is a quantity, not an optional price cap).
  const open = params.filter((p) => !filled.has(p));
  const candidates = open.length === 1 ? open : open.filter((p) => p.required);
  const first = numbers.find((n) => !used.has(n));
  if (candidates.length === 1 && first) take(candidates[0]!, first);
}

/**
 * "called X", "named X", "<param> X" (or "X channel"): the token next to a mention of the parameter.
 * The mention itself is returned among the spans, so it does not also end up in a free-text value.
 */
function valueNextTo(text: string, messageWords: Word[], param: Param, isFree: (s: Span) => boolean): { value: string; spans: Span[] } | undefined {
  const token = (from: number, pattern: RegExp): Found<string> | undefined => {
    const m = pattern.exec(text.slice(from));
    if (!m) return undefined;
    const value = m[1]!.replace(/^["'“‘]|["'”’.:]+$/g, "");
    const start = from + m.index + m[0].length - m[1]!.length;
    const span = { value, start, end: start + m[1]!.length };
    const lower = value.toLowerCase();
    return value && isFree(span) && !isStopword(lower) && !FILLER.has(lower) ? span : undefined;
  };
  if (param.nameStems.has("name") || param.nameStems.has(stem("title"))) {
    const called = /\b(?:called|named|titled)\s+/i.exec(text);
    const found = called && token(called.index + called[0].length, /^([^\s,;!?]+)/);
    if (found) return { value: found.value, spans: [found] };
  }
  for (const [i, w] of messageWords.entries()) {
    if (!param.nameStems.has(w.stem) || isStopword(w.lower) || !isFree(w)) continue;
    const next = token(w.end, /^\s+([^\s,;!?]+)/);
    if (next) return { value: next.value, spans: [w, next] };
    const previous = messageWords[i - 1];
    if (param.kind === "channel" && previous && !isStopword(previous.lower) && isFree(previous)) {
      return { value: previous.raw, spans: [previous, w] };
    }
  }
  return undefined;
}

/** The stretch of the message from its first to its last content word, as the user wrote it. */
function contentSpan(text: string, messageWords: Word[], isContent: (w: Word) => boolean): string | undefined {
  const content = messageWords.filter(isContent);
  const first = content[0];
  const last = content.at(-1);
  if (!first || !last) return undefined;
  // "USB-C cable (2 m)": a bracket opened inside the stretch is closed with it, as the user wrote it.
  const unclosed = (span: string) => (span.match(/[([{]/g)?.length ?? 0) - (span.match(/[)\]}]/g)?.length ?? 0);
  let end = last.end;
  while (unclosed(text.slice(first.start, end)) > 0 && /[)\]}]/.test(text[end] ?? "")) end += 1;
  return text.slice(first.start, end);
}
