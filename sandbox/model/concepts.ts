import { isStopword, type Word } from "./text";

/**
 * Maps stems that people use interchangeably onto one concept, so "find … in my mail" meets a tool
 * named `search_gmail` and "my meetings tomorrow" meets `list_calendar_events(date)`. Kept small on
 * purpose: each entry is a word pair a user and a tool author plausibly choose differently.
 */
const SYNONYMS: Record<string, string> = {
  mail: "email",
  gmail: "email",
  inbox: "email",
  add: "creat",
  find: "search",
  look: "search",
  lookup: "search",
  agenda: "calendar",
  schedul: "calendar",
  event: "calendar",
  meet: "calendar",
  appointment: "calendar",
  day: "date",
  today: "date",
  tonight: "date",
  tomorrow: "date",
  yesterday: "date",
  monday: "date",
  tuesday: "date",
  wednesday: "date",
  thursday: "date",
  friday: "date",
  saturday: "date",
  sunday: "date",
  hour: "time",
  repo: "repository",
  // Not "order": "an email about my order" is about email, and this model cannot tell the verb from the noun.
  purchas: "buy",
  ticket: "issue",
};

export function concept(stem: string): string {
  return SYNONYMS[stem] ?? stem;
}

/**
 * Words that appear in almost any request or tool description ("what …", "get …", "list …"): they
 * count for coverage but carry little weight, so "What's the weather?" does not pick a tool whose
 * description merely contains "what". "who" is not among them: it asks about a person.
 */
export const WEAK_CONCEPTS = new Set([
  "what", "when", "where", "which", "why", "how", "get", "list", "show", "give", "tell", "fetch", "use",
  "make", "see", "want", "need", "know", "check", "let", "help", "like", "new", "recent", "latest", "all",
]);

/** Verbs that say what to do rather than what about, so they never become part of a free-text argument. */
export const COMMAND_CONCEPTS = new Set([
  "search", "get", "list", "show", "give", "tell", "fetch", "check", "display", "pull", "bring", "return", "retrieve",
  "want", "need", "like", "know", "let", "help", "can", "could", "would", "see", "what", "who", "when", "where", "which",
]);

/** The content words of a text as concepts; numbers and stopwords say nothing about which tool fits. */
export function contentConcepts(words: Word[]): string[] {
  return words.filter((w) => !isStopword(w.lower) && !/^\d+$/.test(w.lower)).map((w) => concept(w.stem));
}
