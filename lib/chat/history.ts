import type { ChatMessage } from "@/lib/ai/types";

/**
 * How much of the conversation the model reads each turn, in approximate tokens (OWASP LLM10: a long chat must
 * not grow every request without bound). 24k leaves room for the instructions, the tool definitions and a full
 * reply within a 32k-token context window, and keeps each turn's cost predictable on larger ones.
 */
export const HISTORY_TOKEN_BUDGET = 24_000;

/**
 * About four characters a token for English text and JSON. Counting the stored parts as JSON over-counts a
 * little (state names, ids), which errs on the side of staying under the budget.
 */
export function approximateTokens(message: ChatMessage): number {
  return Math.ceil(JSON.stringify(message.parts).length / 4);
}

/**
 * The newest whole turns (a user message and the replies after it) that fit the budget. The current turn is
 * always kept, even alone over budget: the model cannot answer without the question or continue a call without
 * its result. Turns are never cut, so a tool call never loses its result and the history starts with the user.
 */
export function historyWithinBudget(messages: ChatMessage[], budget = HISTORY_TOKEN_BUDGET): ChatMessage[] {
  let start = turnStartBefore(messages, messages.length);
  let used = tokensOf(messages.slice(start));
  while (start > 0) {
    const previous = turnStartBefore(messages, start);
    const cost = tokensOf(messages.slice(previous, start));
    if (used + cost > budget) break;
    used += cost;
    start = previous;
  }
  return messages.slice(start);
}

/** Where the turn ending just before `end` starts: its user message, or the very beginning. */
function turnStartBefore(messages: ChatMessage[], end: number): number {
  return Math.max(0, messages.findLastIndex((message, index) => index < end && message.role === "user"));
}

function tokensOf(messages: ChatMessage[]): number {
  return messages.reduce((sum, message) => sum + approximateTokens(message), 0);
}
