/**
 * Finds typed values in free text (dates, times, numbers, emails, quotes, #channels, owner/repo slugs).
 * Every match keeps its character span so the argument filler can tell which words a value used up.
 */

export interface Span {
  start: number;
  end: number;
}

export interface Found<T> extends Span {
  value: T;
}

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Keeps the earliest (and on ties the longest) of overlapping matches, in text order. */
function disjoint<T>(found: Found<T>[]): Found<T>[] {
  const sorted = [...found].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Found<T>[] = [];
  for (const f of sorted) if (!kept.some((k) => overlaps(k, f))) kept.push(f);
  return kept;
}

function matches<T>(text: string, pattern: RegExp, toValue: (m: RegExpExecArray) => T | undefined): Found<T>[] {
  const out: Found<T>[] = [];
  for (const m of text.matchAll(pattern)) {
    const value = toValue(m as RegExpExecArray);
    if (value !== undefined) out.push({ value, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const SMALL_NUMBERS = [
  "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
  "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
];
const TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const NUMBER_WORD = `(?:\\d+|(?:${TENS.join("|")})(?:[- ](?:${SMALL_NUMBERS.slice(1, 10).join("|")}))?|${SMALL_NUMBERS.join("|")}|a hundred|hundred|a dozen)`;

function numberFromWord(word: string): number | undefined {
  const w = word.toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(w)) return Number(w);
  if (w === "a dozen") return 12;
  if (w.endsWith("hundred")) return 100;
  const [tens, units] = w.split(/[- ]/);
  const ten = TENS.indexOf(tens!);
  if (ten >= 0) return (ten + 2) * 10 + (units ? SMALL_NUMBERS.indexOf(units) : 0);
  const small = SMALL_NUMBERS.indexOf(w);
  return small >= 0 ? small : undefined;
}

export function findNumbers(text: string): Found<number>[] {
  return disjoint(
    matches(text, new RegExp(`(?<![\\w.])(?:\\d+(?:\\.\\d+)?|${NUMBER_WORD})(?![\\w]|\\.\\d)`, "gi"), (m) => numberFromWord(m[0])),
  );
}

export function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// Local calendar arithmetic (not milliseconds) so a DST change never shifts "tomorrow" by a day.
function addDays(now: Date, days: number): string {
  return formatDate(new Date(now.getFullYear(), now.getMonth(), now.getDate() + days));
}

function validDate(year: number, month: number, day: number): string | undefined {
  const date = new Date(year, month - 1, day);
  return date.getMonth() === month - 1 && date.getDate() === day ? formatDate(date) : undefined;
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const DAY_OF_MONTH = "(\\d{1,2})(?:st|nd|rd|th)?";

/** Dates as YYYY-MM-DD, relative ones resolved against `now` in the server's time zone. */
export function findDates(text: string, now: Date): Found<string>[] {
  const monthIndex = (name: string) => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
  const year = (y: string | undefined) => (y ? Number(y) : now.getFullYear());
  const relative: Record<string, number> = { today: 0, tonight: 0, tomorrow: 1, yesterday: -1 };
  return disjoint([
    ...matches(text, /\b(\d{4})-(\d{2})-(\d{2})\b/g, (m) => validDate(Number(m[1]), Number(m[2]), Number(m[3]))),
    ...matches(text, /\bthe day (after tomorrow|before yesterday)\b/gi, (m) => addDays(now, m[1]!.startsWith("after") ? 2 : -2)),
    ...matches(text, /\b(today|tonight|tomorrow|yesterday)\b/gi, (m) => addDays(now, relative[m[1]!.toLowerCase()]!)),
    ...matches(text, new RegExp(`\\bin (${NUMBER_WORD}) days?\\b`, "gi"), (m) => addDays(now, numberFromWord(m[1]!) ?? 0)),
    ...matches(text, new RegExp(`\\b(${NUMBER_WORD}) days? ago\\b`, "gi"), (m) => addDays(now, -(numberFromWord(m[1]!) ?? 0))),
    ...matches(text, new RegExp(`\\b(?:(next|last|this|on) )?(${WEEKDAYS.join("|")})\\b`, "gi"), (m) => {
      const ahead = (WEEKDAYS.indexOf(m[2]!.toLowerCase()) - now.getDay() + 7) % 7;
      const which = m[1]?.toLowerCase();
      if (which === "last") return addDays(now, -((7 - ahead) % 7 || 7));
      return addDays(now, which === "next" ? ahead || 7 : ahead);
    }),
    ...matches(text, new RegExp(`\\b${MONTH}\\.? ${DAY_OF_MONTH}(?:,? (\\d{4}))?\\b`, "gi"), (m) =>
      validDate(year(m[3]), monthIndex(m[1]!), Number(m[2])),
    ),
    ...matches(text, new RegExp(`\\b${DAY_OF_MONTH} (?:of )?${MONTH}(?:,? (\\d{4}))?\\b`, "gi"), (m) =>
      validDate(year(m[3]), monthIndex(m[2]!), Number(m[1])),
    ),
  ]);
}

/** Times of day as 24-hour HH:MM. */
export function findTimes(text: string): Found<string>[] {
  const hhmm = (h: number, m: number) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
  return disjoint([
    ...matches(text, /\b(\d{1,2})(?::([0-5]\d))?\s*([ap])\.?m\b\.?/gi, (m) => {
      const hour = Number(m[1]);
      if (hour < 1 || hour > 12) return undefined;
      return hhmm((hour % 12) + (m[3]!.toLowerCase() === "p" ? 12 : 0), Number(m[2] ?? 0));
    }),
    ...matches(text, /\b([01]?\d|2[0-3]):([0-5]\d)\b/g, (m) => hhmm(Number(m[1]), Number(m[2]))),
    ...matches(text, /\b(noon|midday|midnight)\b/gi, (m) => (m[1]!.toLowerCase() === "midnight" ? "00:00" : "12:00")),
  ]);
}

export function findEmails(text: string): Found<string>[] {
  return matches(text, /[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/g, (m) => m[0]);
}

export function findQuoted(text: string): Found<string>[] {
  return disjoint(
    matches(text, /"([^"]+)"|“([^”]+)”|‘([^’]+)’|(?<![\p{L}\p{N}])'([^']+)'(?![\p{L}\p{N}])/gu, (m) =>
      (m[1] ?? m[2] ?? m[3] ?? m[4])!.trim() || undefined,
    ),
  );
}

/** `#general` → "general", the way people name Slack channels. */
export function findHashtags(text: string): Found<string>[] {
  return matches(text, /(?<![\w#&])#([\p{L}\p{N}][\p{L}\p{N}_-]*)/gu, (m) => m[1]);
}

/** `owner/repo` slugs as GitHub writes them. */
export function findSlugs(text: string): Found<string>[] {
  return matches(text, /(?<![\w./:@-])([A-Za-z][\w-]*)\/([A-Za-z0-9][\w.-]*[\w])(?![\w/])/g, (m) => m[0]);
}
