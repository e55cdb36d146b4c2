import { z } from "zod";
import { MAX_CHAT_NAME_LENGTH } from "./limits";

/**
 * A name the user gives a chat, trimmed. Characters are counted as people see them (a code point each, so "é" or
 * an emoji is one). Control characters are refused rather than stripped: a tab or line break the user did not mean
 * to paste is better pointed out than silently changed, and the sidebar shows names on one line.
 */
export const chatNameSchema = z
  .string({ error: "Send the chat's new name as text." })
  .trim()
  .superRefine((name, context) => {
    const problem = chatNameProblem(name);
    if (problem) context.addIssue({ code: "custom", message: problem });
  });

function chatNameProblem(name: string): string | null {
  if (name.length === 0) return "Enter a name for the chat.";
  const length = [...name].length;
  if (length > MAX_CHAT_NAME_LENGTH) return `A chat name can be at most ${MAX_CHAT_NAME_LENGTH} characters; this one has ${length}.`;
  if (/\p{Cc}/u.test(name)) return "A chat name cannot contain line breaks, tabs or other control characters.";
  // JSON can carry half of a surrogate pair, which no font can show and Postgres would store as a replacement mark.
  if (/\p{Cs}/u.test(name)) return "The name contains a broken character. Type it again.";
  return null;
}
