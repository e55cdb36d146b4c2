/**
 * The basics of Gmail's search syntax (the `q` parameter): words and "quoted phrases" matched as whole
 * words in the subject, sender, recipients and body; from:, to:, cc:, subject:, is:, in:, label:,
 * category:, has:attachment, newer_than:/older_than: (d, m, y), after:/before: (dates or epoch
 * seconds); a leading "-" negates and OR joins two terms. Anything else is searched as text.
 */
import { zonedInstant } from "../../time";

export interface SearchableMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  labelIds: readonly string[];
  internalDate: number;
  hasAttachment: boolean;
}

export interface GmailQuery {
  matches(message: SearchableMessage): boolean;
  /** True when the query asks for spam or trash, which searches leave out otherwise. */
  reachesSpamAndTrash: boolean;
}

interface QueryContext {
  now: Date;
  timeZone: string;
  /** The mailbox owner's address, for from:me and to:me. */
  self: string;
}

type Predicate = (message: SearchableMessage) => boolean;

const words = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

// Gmail matches whole words, not substrings: "invoice" finds "Invoice #1042" but "voice" does not.
function containsPhrase(text: string, phrase: string): boolean {
  const needle = words(phrase);
  return needle.length === 0 || ` ${words(text).join(" ")} `.includes(` ${needle.join(" ")} `);
}

const hasLabel = (label: string): Predicate => (message) => message.labelIds.includes(label);

const CATEGORIES: Record<string, string> = {
  primary: "CATEGORY_PERSONAL",
  social: "CATEGORY_SOCIAL",
  promotions: "CATEGORY_PROMOTIONS",
  updates: "CATEGORY_UPDATES",
  forums: "CATEGORY_FORUMS",
};

function ageCutoff(value: string, now: Date): number | undefined {
  const match = /^(\d+)([dmy])$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const cutoff = new Date(now);
  const unit = match[2]?.toLowerCase();
  if (unit === "d") cutoff.setTime(cutoff.getTime() - amount * 86_400_000);
  else if (unit === "m") cutoff.setUTCMonth(cutoff.getUTCMonth() - amount);
  else cutoff.setUTCFullYear(cutoff.getUTCFullYear() - amount);
  return cutoff.getTime();
}

// Dates are midnight in the user's time zone; a bare number is seconds since the epoch.
function dateCutoff(value: string, timeZone: string): number | undefined {
  if (/^\d{9,}$/.test(value)) return Number(value) * 1000;
  const match = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!match) return undefined;
  return zonedInstant({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }, 0, 0, timeZone).getTime();
}

function operatorPredicate(operator: string, value: string, context: QueryContext): Predicate | undefined {
  const address = value.toLowerCase() === "me" ? context.self : value.toLowerCase();
  const never: Predicate = () => false;
  switch (operator) {
    case "from":
      return (message) => message.from.toLowerCase().includes(address);
    case "to":
    case "cc":
    case "bcc":
      return (message) => message.to.toLowerCase().includes(address);
    case "subject":
      return (message) => containsPhrase(message.subject, value);
    case "is": {
      const flag = value.toLowerCase();
      if (flag === "read") return (message) => !message.labelIds.includes("UNREAD");
      return ["unread", "starred", "important"].includes(flag) ? hasLabel(flag.toUpperCase()) : never;
    }
    case "in":
    case "label": {
      const label = value.toUpperCase() === "DRAFTS" ? "DRAFT" : value.toUpperCase().replace(/[-/]/g, "_");
      return label === "ANYWHERE" ? () => true : hasLabel(label);
    }
    case "category":
      return hasLabel(CATEGORIES[value.toLowerCase()] ?? "");
    case "has":
      return value.toLowerCase() === "attachment" ? (message) => message.hasAttachment : never;
    case "newer_than":
    case "older_than": {
      const cutoff = ageCutoff(value, context.now);
      if (cutoff === undefined) return never;
      return operator === "newer_than" ? (message) => message.internalDate > cutoff : (message) => message.internalDate < cutoff;
    }
    case "after":
    case "before": {
      const cutoff = dateCutoff(value, context.timeZone);
      if (cutoff === undefined) return never;
      return operator === "after" ? (message) => message.internalDate >= cutoff : (message) => message.internalDate < cutoff;
    }
    default:
      return undefined;
  }
}

function textPredicate(text: string): Predicate {
  return (message) => [message.subject, message.from, message.to, message.text].some((field) => containsPhrase(field, text));
}

const TOKEN = /(-?)(?:([A-Za-z_]+):)?(?:"([^"]*)"|([^\s"()]+))/g;

export function parseGmailQuery(q: string, context: QueryContext): GmailQuery {
  // A conjunction of disjunctions: "a b OR c" is a AND (b OR c).
  const clauses: Predicate[][] = [];
  let joinWithPrevious = false;
  let reachesSpamAndTrash = false;
  for (const [, negation, operator, quoted, bare] of q.matchAll(TOKEN)) {
    const value = quoted ?? bare ?? "";
    if (!operator && quoted === undefined && value === "OR") {
      joinWithPrevious = clauses.length > 0;
      continue;
    }
    const known = operator ? operatorPredicate(operator.toLowerCase(), value, context) : undefined;
    const positive = known ?? textPredicate(operator ? `${operator}:${value}` : value);
    const predicate: Predicate = negation ? (message) => !positive(message) : positive;
    if (!negation && (operator === "in" || operator === "label") && ["spam", "trash", "anywhere"].includes(value.toLowerCase())) {
      reachesSpamAndTrash = true;
    }
    const last = clauses.at(-1);
    if (joinWithPrevious && last) last.push(predicate);
    else clauses.push([predicate]);
    joinWithPrevious = false;
  }
  return {
    matches: (message) => clauses.every((clause) => clause.some((predicate) => predicate(message))),
    reachesSpamAndTrash,
  };
}
