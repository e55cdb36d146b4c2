import { answerFromToolResults, type ToolResult } from "./answer";
import { fillArguments } from "./arguments";
import { documentQuestionTool } from "./document-questions";
import { composedReply, missingArgumentsReply, sandboxReply, toolAwaitingArguments } from "./replies";
import { isConfident, rankTools } from "./tool-ranking";
import { contentText, type ChatMessage, type ChatTool, type ToolChoice } from "./wire";

export interface PlannedCall {
  name: string;
  arguments: Record<string, unknown>;
}

export type Plan = { type: "text"; text: string } | { type: "tool-calls"; calls: PlannedCall[] };

export interface PlannerInput {
  messages: ChatMessage[];
  tools?: ChatTool[];
  toolChoice?: ToolChoice;
}

/**
 * The sandbox model's whole "mind": a pure function from a Chat Completions request to either tool
 * calls or a text answer. After tool results it always answers in text, so an agent loop calling it
 * ends after one round of tools instead of calling the same tool again.
 */
export function plan(input: PlannerInput, now: Date = new Date()): Plan {
  const { messages, toolChoice = "auto" } = input;
  const tools = toolChoice === "none" ? [] : (input.tools ?? []);
  const last = messages.at(-1);
  if (last?.role === "tool") return { type: "text", text: answerFromToolResults(trailingToolResults(messages), lastUserText(messages)) };
  if (last?.role === "user") return planForUser(contentText(last.content), messages, tools, toolChoice, now);
  return { type: "text", text: sandboxReply("", tools) };
}

function planForUser(text: string, messages: ChatMessage[], tools: ChatTool[], toolChoice: ToolChoice, now: Date): Plan {
  const several = severalCalls(text, tools, toolChoice, now);
  if (several) return { type: "tool-calls", calls: several };

  const tool = toolForRequest(text, tools, toolChoice, now);
  if (tool) {
    const filled = fillArguments(tool, text, now);
    return filled.ok
      ? { type: "tool-calls", calls: [{ name: tool.function.name, arguments: filled.args }] }
      : { type: "text", text: missingArgumentsReply(tool.function.name, filled.missing) };
  }

  // "Search my email" → "What should I search for?" → "invoices from Acme": the answer completes the earlier request.
  const [previousUser, previousAssistant] = messages.slice(-3, -1);
  const awaited = previousAssistant?.role === "assistant" ? toolAwaitingArguments(contentText(previousAssistant.content)) : undefined;
  const awaitedTool = tools.find((t) => t.function.name === awaited);
  if (awaitedTool && previousUser?.role === "user") {
    const filled = fillArguments(awaitedTool, `${contentText(previousUser.content)}\n${text}`, now);
    if (filled.ok) return { type: "tool-calls", calls: [{ name: awaitedTool.function.name, arguments: filled.args }] };
  }

  return { type: "text", text: sandboxReply(text, tools) };
}

export function chooseTool(text: string, tools: ChatTool[], toolChoice: ToolChoice, now: Date): ChatTool | undefined {
  if (typeof toolChoice === "object") return tools.find((t) => t.function.name === toolChoice.function.name);
  const [best] = rankTools(text, tools, now);
  return best && (isConfident(best) || toolChoice === "required") ? best.tool : undefined;
}

/**
 * The tool for the user's request: the documents for a question no other tool clearly fits (as an LLM offered a
 * document search would), else the best confident tool. A model asked for a story writes one rather than look it up.
 */
function toolForRequest(text: string, tools: ChatTool[], toolChoice: ToolChoice, now: Date): ChatTool | undefined {
  const lookUp = typeof toolChoice !== "object" && composedReply(text) === undefined;
  return (lookUp ? documentQuestionTool(text, tools, now) : undefined) ?? chooseTool(text, tools, toolChoice, now);
}

/**
 * "Who am I and what's on my calendar today?" asks for two things. Only when every clause
 * independently yields a complete call, each to a different tool, is the message split; otherwise
 * the whole message is one request ("invoices and receipts" stays one search).
 */
function severalCalls(text: string, tools: ChatTool[], toolChoice: ToolChoice, now: Date): PlannedCall[] | undefined {
  if (typeof toolChoice === "object") return undefined;
  const clauses = text
    .split(/(?<=[?!.])\s+|\s*;\s*|\s*,?\s+\b(?:and also|and then|and|also|then)\b\s+/i)
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length < 2) return undefined;
  const calls: PlannedCall[] = [];
  for (const clause of clauses) {
    const tool = toolForRequest(clause, tools, toolChoice, now);
    const filled = tool && fillArguments(tool, clause, now);
    if (!tool || !filled || !filled.ok) return undefined;
    calls.push({ name: tool.function.name, arguments: filled.args });
  }
  return new Set(calls.map((c) => c.name)).size === calls.length ? calls : undefined;
}

/** What the user last asked, which the answer to the tools' results should address. */
export function lastUserText(messages: ChatMessage[]): string {
  const asked = messages.findLast((m) => m.role === "user");
  return asked ? contentText(asked.content) : "";
}

/** The results that answer the last assistant turn, named after the calls they answer. */
function trailingToolResults(messages: ChatMessage[]): ToolResult[] {
  let start = messages.length;
  while (start > 0 && messages[start - 1]!.role === "tool") start -= 1;
  const requester = messages[start - 1];
  const names = new Map((requester?.role === "assistant" ? (requester.tool_calls ?? []) : []).map((c) => [c.id, c.function.name]));
  return messages.slice(start).flatMap((m) =>
    m.role === "tool" ? [{ toolName: names.get(m.tool_call_id) ?? "tool", content: contentText(m.content) }] : [],
  );
}
