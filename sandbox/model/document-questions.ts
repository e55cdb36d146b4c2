import { concept } from "./concepts";
import { isConfident, rankTools } from "./tool-ranking";
import { identifierWords, words } from "./text";
import type { ChatTool } from "./wire";

/** What a tool that searches the user's own knowledge is named after: a search verb and something written down. */
const WRITTEN = new Set(["document", "doc", "file", "note", "knowledge", "wiki", "page"]);

/**
 * The offered tool that searches the user's documents (`search_documents`), recognised as a model would, by what its
 * name says: a search (or find, look up) over documents, files, notes or a wiki.
 */
export function documentSearchTool(tools: ChatTool[]): ChatTool | undefined {
  return tools.find((t) => {
    const named = new Set(identifierWords(t.function.name).map((w) => concept(w.stem)));
    return named.has("search") && [...WRITTEN].some((w) => named.has(w));
  });
}

const QUESTION_WORDS = new Set(["what", "when", "where", "who", "whom", "whose", "why", "how", "which", "is", "are", "am", "do", "does", "did", "can", "could", "should", "will", "would", "may", "must", "tell", "explain", "describe", "summarise", "summarize"]);

/** A request for information: it ends with a question mark or opens the way a question or "tell me…" does. */
export function isQuestion(text: string): boolean {
  if (/[?？؟]\s*$/u.test(text.trim())) return true;
  const first = words(text)[0]?.lower;
  return first !== undefined && QUESTION_WORDS.has(first);
}

/**
 * What an LLM offered a document search does with a question no other tool clearly fits: it looks in the documents.
 * A tool fits clearly when its name matches the request ("calendar", "Gmail", "GitHub") or its vocabulary covers the
 * whole of it; "How many vacation days do we get?" is about no calendar, though "days" is a calendar word.
 * Undefined when the question is not for the documents (or no document search is offered).
 */
export function documentQuestionTool(text: string, tools: ChatTool[], now: Date): ChatTool | undefined {
  const search = documentSearchTool(tools);
  if (!search || !isQuestion(text)) return undefined;
  const [best] = rankTools(text, tools, now);
  const clear = best && best.tool !== search && isConfident(best) && (best.nameMatches > 0 || best.coverage === 1);
  return clear ? undefined : search;
}
