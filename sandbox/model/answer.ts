import { answerFromPassages } from "./passages";
import { identifierWords } from "./text";

export interface ToolResult {
  toolName: string;
  /** The tool message's content as `@ai-sdk/openai` sends it: JSON text, an error object, or a denial reason. */
  content: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const MAX_ITEMS = 10;
const MAX_FACTS = 8;
const HEADLINE_KEYS = ["title", "name", "displayName", "display_name", "fullName", "full_name", "summary", "subject", "label", "login", "text"];
const PERSON_NAME_KEYS = ["name", "displayName", "display_name", "fullName", "full_name", "nickname"];
// Detail fields worth a glance in a list, most telling first; counts read badly without their name.
const DETAIL_PATTERNS = [/start|date|when|due|time|created|updated|sent|received/i, /^(from|sender|organizer|author|owner|user|assignee)$/i, /status|state/i, /location|channel|repo|document|source|file/i, /count|stars?$|total|amount|price|unread/i, /snippet|preview/i];
const LABELLED_DETAIL = /count|stars?$|total|amount|price|unread/i;
// Fields a reader never wants to see: paging state, image links, API bookkeeping.
const NOISE = /token|cursor|etag|^kind$|picture|avatar|icon|thumbnail|^raw|payload|^object$/i;

function isObject(value: Json): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toolLabel(toolName: string): string {
  return `\`${toolName}\``;
}

function humanise(key: string): string {
  const text = identifierWords(key).map((w) => w.raw.toLowerCase()).join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "2026-01-15T09:00:00Z" → "2026-01-15 09:00 UTC": what a person would write. */
function readableTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return text;
  return `${m[1]} ${m[2]}${m[3] === "Z" ? " UTC" : m[3] ? ` (${m[3]})` : ""}`;
}

function scalar(value: Json): string | undefined {
  if (typeof value === "string") return value.trim() ? truncate(readableTimestamp(value), 160) : undefined;
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  // A nested object such as Google's `start: { dateTime }` reads as its first plain value.
  if (isObject(value)) return Object.values(value).map(scalar).find((s) => s !== undefined);
  return undefined;
}

function headline(obj: JsonObject): { key: string; text: string } | undefined {
  const key = HEADLINE_KEYS.find((k) => typeof obj[k] === "string" && (obj[k] as string).trim()) ??
    Object.keys(obj).find((k) => !NOISE.test(k) && typeof obj[k] === "string" && !/^(id|url|.*_url|.*Url)$/.test(k));
  return key ? { key, text: truncate(obj[key] as string, 120) } : undefined;
}

function facts(obj: JsonObject, skip: Set<string>): string[] {
  return Object.entries(obj)
    .filter(([key, value]) => !skip.has(key) && !NOISE.test(key) && !Array.isArray(value))
    .flatMap(([key, value]) => {
      const text = scalar(value);
      return text === undefined ? [] : [`- **${humanise(key)}**: ${text}`];
    })
    .slice(0, MAX_FACTS);
}

function listItem(item: Json): string {
  if (!isObject(item)) return `- ${scalar(item) ?? JSON.stringify(item)}`;
  const head = headline(item);
  const details = DETAIL_PATTERNS.flatMap((pattern) =>
    Object.keys(item).filter((k) => k !== head?.key && !NOISE.test(k) && pattern.test(k)),
  )
    .filter((key, i, all) => all.indexOf(key) === i)
    .flatMap((k) => {
      const value = scalar(item[k]!);
      if (value === undefined) return [];
      return [LABELLED_DETAIL.test(k) ? `${humanise(k).toLowerCase()}: ${value}` : value];
    })
    .filter((value, i, all) => all.indexOf(value) === i)
    .slice(0, 3)
    .map((value) => truncate(value, 80));
  const id = typeof item.number === "number" ? `#${item.number} ` : "";
  const title = head ? `**${head.text}**` : (scalar(item) ?? "(untitled)");
  return `- ${id}${title}${details.length > 0 ? ` — ${details.join(" · ")}` : ""}`;
}

/** "list_github_repositories" → "github repositories"; a name without a plural noun gets a neutral label. */
function labelFromToolName(toolName: string): string {
  const parts = identifierWords(toolName).map((w) => w.raw.toLowerCase());
  const verbs = new Set(["get", "list", "search", "find", "fetch", "read", "query", "lookup", "show", "my"]);
  const noun = parts.filter((p) => !verbs.has(p));
  return noun.length > 0 && noun.at(-1)!.endsWith("s") ? noun.join(" ") : `results from ${toolLabel(toolName)}`;
}

function singular(label: string): string {
  if (label.startsWith("results ")) return label.replace("results", "result");
  return label.replace(/ies$/, "y").replace(/s$/, "");
}

function renderList(toolName: string, items: Json[], label: string, total?: number): string {
  if (items.length === 0) return `${toolLabel(toolName)} found no ${label.replace(/^results from .*/, "results")}.`;
  const count = total !== undefined && total > items.length ? total : items.length;
  const shown = items.slice(0, MAX_ITEMS).map(listItem);
  const more = count - shown.length;
  return [
    `I found ${count} ${count === 1 ? singular(label) : label}:`,
    "",
    ...shown,
    ...(more > 0 ? [`- …and ${more} more`] : []),
  ].join("\n");
}

function errorMessage(value: Json): string | undefined {
  if (!isObject(value)) return undefined;
  const failed = "error" in value || value.success === false || value.ok === false;
  if (!failed) return undefined;
  const error = value.error ?? value.message ?? value.reason ?? null;
  if (typeof error === "string") return error;
  if (isObject(error) && typeof error.message === "string") return error.message;
  return error === null ? "no details were given" : JSON.stringify(error);
}

function renderObject(toolName: string, obj: JsonObject): string {
  const arrays = Object.entries(obj).filter(([, v]) => Array.isArray(v)) as [string, Json[]][];
  if (arrays.length === 1) {
    // `{ events: [...], nextPageToken }`: the array is the answer, the rest is envelope.
    const [key, items] = arrays[0]!;
    const generic = /^(items|results|data|records|entries|values)$/i.test(key);
    const total = [obj.total, obj.totalCount, obj.total_count, obj.count].find((n) => typeof n === "number") as number | undefined;
    return renderList(toolName, items, generic ? labelFromToolName(toolName) : humanise(key).toLowerCase(), total);
  }
  const email = typeof obj.email === "string" ? obj.email : undefined;
  const personName = PERSON_NAME_KEYS.map((k) => obj[k]).find((v): v is string => typeof v === "string");
  if (email && personName) {
    const isSelf = /user|profile|^me$|whoami|account|self|identity|^get_?me/i.test(toolName);
    const lead = `${isSelf ? "You are" : "That's"} **${personName}** (${email}).`;
    const rest = facts(obj, new Set(["email", ...PERSON_NAME_KEYS]));
    return rest.length > 0 ? `${lead}\n\n${rest.join("\n")}` : lead;
  }
  const head = obj.success === true || obj.ok === true ? undefined : headline(obj);
  const lead =
    obj.success === true || obj.ok === true
      ? `Done — ${toolLabel(toolName)} succeeded.`
      : head
        ? `Here's what ${toolLabel(toolName)} returned: **${head.text}**`
        : `Here's what ${toolLabel(toolName)} returned:`;
  const rest = facts(obj, new Set(["success", "ok", ...(head ? [head.key] : [])]));
  return rest.length > 0 ? `${lead}\n\n${rest.join("\n")}` : lead;
}

function renderText(toolName: string, text: string): string {
  // `@ai-sdk/openai` sends a denied approval as its bare reason ("Tool call execution denied." by default).
  if (/\b(denied|not approved|declined|rejected)\b/i.test(text) && text.length < 300) {
    return `I didn't run ${toolLabel(toolName)} because the call was denied: “${truncate(text, 200)}” I won't try it again unless you ask.`;
  }
  return `${toolLabel(toolName)} returned: ${truncate(text, 600)}`;
}

function parse(content: string): Json {
  try {
    return JSON.parse(content) as Json;
  } catch {
    return content;
  }
}

function renderResult({ toolName, content }: ToolResult, question: string): string {
  let value = parse(content);
  // A tool whose `toModelOutput` returns content parts arrives as `[{ type: "text", text }]`.
  if (Array.isArray(value) && value.length > 0 && value.every((p) => isObject(p) && p.type === "text" && typeof p.text === "string")) {
    value = value.map((p) => (p as JsonObject).text).join("\n");
  }
  // Delegate hands every tool result over as `{ note, untrusted_data }`: a reader answers from the data.
  if (isObject(value) && "untrusted_data" in value) value = value.untrusted_data!;
  const error = errorMessage(value);
  if (error !== undefined) {
    return `${toolLabel(toolName)} failed: ${truncate(error, 300)}\n\nI haven't retried it; tell me if you want me to try again.`;
  }
  const quoted = answerFromPassages(value, question);
  if (quoted !== undefined) return quoted;
  if (typeof value === "string") return renderText(toolName, value);
  if (Array.isArray(value)) return renderList(toolName, value, labelFromToolName(toolName));
  if (isObject(value)) return renderObject(toolName, value);
  return `${toolLabel(toolName)} returned **${String(value)}**.`;
}

/**
 * A short Markdown answer grounded only in what the tools returned, one paragraph per result. Passages from a
 * document search are answered by quoting the one that best answers `question`, the user's last message.
 */
export function answerFromToolResults(results: ToolResult[], question = ""): string {
  return results.map((result) => renderResult(result, question)).join("\n\n");
}
