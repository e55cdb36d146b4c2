import { carriesInstructions, decodeEntities, QUOTE_SOURCE, URL_SOURCE } from "./injected-instructions";
import { stem } from "./text";

/** One value a tool returned, with the name of the field that held it ("subject", "snippet", "text", …). */
export interface Field {
  key: string;
  text: string;
}

const PLACEHOLDER = /\{\s*([A-Za-z_][\w ]*?)\s*\}|\$([A-Za-z_]\w*)/g;
const URLS = new RegExp(URL_SOURCE, "g");
const QUOTED_SPLIT = new RegExp(`(${QUOTE_SOURCE})`, "u");
// Well within what browsers and servers accept in a URL (2,000 characters is the usual safe size); a draft body
// may carry more.
const MAX_IN_URL = 1_500;
const MAX_IN_TEXT = 2_000;

/** A tool message's content as data: JSON, JSON inside a text wrapper (an "untrusted data" marker), or text. */
function toolData(content: string): unknown {
  const attempt = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  };
  const embedded = /[[{][\s\S]*[\]}]/.exec(content)?.[0];
  const value = attempt(content) ?? (embedded === undefined ? undefined : attempt(embedded)) ?? content;
  // A tool with `toModelOutput` content parts arrives as `[{ type: "text", text }]`.
  if (Array.isArray(value) && value.length > 0 && value.every((p) => typeof p?.text === "string" && p.type === "text")) {
    return toolData(value.map((p: { text: string }) => p.text).join("\n"));
  }
  return value;
}

function leaves(value: unknown, key: string): Field[] {
  if (typeof value === "string") return [{ key, text: decodeEntities(value) }];
  if (typeof value === "number" || typeof value === "boolean") return [{ key, text: String(value) }];
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, key));
  if (typeof value === "object" && value !== null) return Object.entries(value).flatMap(([k, v]) => leaves(v, k));
  return [];
}

/** The values in a tool message, without the attacker's own instructions, which are not data worth stealing. */
export function toolFields(content: string): Field[] {
  return leaves(toolData(content), "").filter((field) => field.text.trim() && !carriesInstructions(field.text));
}

export function instructionCarriers(content: string): string[] {
  return leaves(toolData(content), "").flatMap((field) => (carriesInstructions(field.text) ? [field.text] : []));
}

const normalise = (name: string) => stem(name.toLowerCase().replace(/[^a-z]/g, ""));

/**
 * What a placeholder stands for, from tool results newest first: a field's name (`{subjects}`, `$snippet`) takes
 * every value of that field; any other name (`{data}`, `$content`) takes all of the newest result.
 */
function valueOf(name: string, results: Field[][]): string {
  const wanted = normalise(name);
  const named = results.flat().filter((field) => normalise(field.key) === wanted);
  const chosen = named.length > 0 ? named : (results[0] ?? []);
  return [...new Set(chosen.map((field) => field.text.replace(/\s+/g, " ").trim()))].join("; ");
}

function replaceIn(text: string, results: Field[][], encode: (value: string) => string): string {
  return text.replace(PLACEHOLDER, (_, braced: string | undefined, dollar: string | undefined) => encode(valueOf(braced ?? dollar!, results)));
}

/** Encoded so that nothing in the value ends the URL or the Markdown around it, then cut without splitting an escape. */
const urlEncode = (value: string) =>
  encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .slice(0, MAX_IN_URL)
    .replace(/%[0-9A-F]?$/, "");

/** Fills `{name}` / `$name` placeholders, URL-encoded inside URLs (so a Markdown image stays one image) and plain elsewhere. */
export function fillPlaceholders(text: string, results: Field[][]): string {
  const inUrls = text.replace(URLS, (url) => replaceIn(url, results, urlEncode));
  return replaceIn(inUrls, results, (value) => value.slice(0, MAX_IN_TEXT));
}

/** Quotes bare placeholders outside quotes, so the argument filler takes `body {data}` as a quoted value. */
export function quotePlaceholders(text: string): string {
  return text
    .split(QUOTED_SPLIT)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(PLACEHOLDER, (placeholder) => `"${placeholder}"`)))
    .join("");
}
