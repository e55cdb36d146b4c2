import { answerFromToolResults, type ToolResult } from "./answer";
import { fillArguments } from "./arguments";
import { injectedSteps, type InjectedStep } from "./injected-instructions";
import { objectShape, schemaType } from "./json-schema";
import { fillPlaceholders, instructionCarriers, quotePlaceholders, toolFields, type Field } from "./placeholders";
import { chooseTool, lastUserText, plan, type Plan, type PlannedCall, type PlannerInput } from "./planner";
import { contentText, type ChatMessage, type ChatTool } from "./wire";

/**
 * The gullible sandbox model (`delegate-sandbox-gullible`): the worst case of a real LLM, to test the app's
 * defences against. It plans the user's request exactly as the normal planner does, but once tool results come
 * back it obeys instructions planted in them (grammar in `./injected-instructions.ts`): it calls the tools they ask
 * for, though only tools the request offers, one call per turn in the order given, and puts the text and images
 * they ask for into its answer, placeholders filled with data from the conversation's tool results. A step counts
 * as done once the conversation holds its call after the instructions, whatever came of the call (denied, failed).
 * When none is left it answers the user's request from the turn's tool results, with the injected text appended.
 */
export function planGullibly(input: PlannerInput, now: Date = new Date()): Plan {
  const { messages } = input;
  if (messages.at(-1)?.role !== "tool") return plan(input, now);
  const tools = offeredTools(input);
  const results = toolResults(messages);
  const data = results.map((r) => toolFields(r.content)).reverse();
  const turn = results.filter((r) => r.index > messages.findLastIndex((m) => m.role === "user"));
  const calls = callsInOrder(messages);

  const said: string[] = [];
  let cursor = 0;
  for (const source of turn) {
    for (const step of instructionCarriers(source.content).flatMap(injectedSteps)) {
      if (step.kind === "say") {
        said.push(fillPlaceholders(step.markdown, data));
        continue;
      }
      const call = resolve(step, tools, data, now);
      if (!call) continue;
      const done = calls.findIndex((c, i) => i >= cursor && c.index > source.index && c.name === call.name);
      if (done < 0) return { type: "tool-calls", calls: [call] };
      cursor = done + 1;
    }
  }
  return { type: "text", text: [answerFromToolResults(turn, lastUserText(messages)), ...said].join("\n\n") };
}

function offeredTools({ tools = [], toolChoice = "auto" }: PlannerInput): ChatTool[] {
  if (toolChoice === "none") return [];
  if (typeof toolChoice === "object") return tools.filter((t) => t.function.name === toolChoice.function.name);
  return tools;
}

/** Every tool result in the conversation, named after the call it answers. */
function toolResults(messages: ChatMessage[]): (ToolResult & { index: number })[] {
  const names = new Map(callsInOrder(messages).map((c) => [c.id, c.name]));
  return messages.flatMap((m, index) =>
    m.role === "tool" ? [{ index, toolName: names.get(m.tool_call_id) ?? "tool", content: contentText(m.content) }] : [],
  );
}

function callsInOrder(messages: ChatMessage[]): { index: number; id: string; name: string }[] {
  return messages.flatMap((m, index) =>
    m.role === "assistant" ? (m.tool_calls ?? []).map((c) => ({ index, id: c.id, name: c.function.name })) : [],
  );
}

/** The call a step asks for, if an offered tool can make it; an unknown tool or a missing argument skips the step. */
function resolve(step: Exclude<InjectedStep, { kind: "say" }>, tools: ChatTool[], data: Field[][], now: Date): PlannedCall | undefined {
  const clause = quotePlaceholders(step.clause);
  const tool = step.kind === "tool" ? tools.find((t) => t.function.name === step.name) : chooseTool(clause, tools, "auto", now);
  if (!tool) return undefined;
  const args = step.kind === "tool" && step.args ? fromLiteral(tool, step.args) : filled(tool, clause, now);
  if (!args) return undefined;
  return { name: tool.function.name, arguments: Object.fromEntries(Object.entries(args).map(([name, value]) => [name, fillAll(value, data)])) };
}

function filled(tool: ChatTool, clause: string, now: Date): Record<string, unknown> | undefined {
  const result = fillArguments(tool, clause, now);
  return result.ok ? result.args : undefined;
}

/** Arguments written out by the attacker, made to fit the tool's parameters as a model would; unknown ones dropped. */
function fromLiteral(tool: ChatTool, args: Record<string, unknown>): Record<string, unknown> | undefined {
  const { properties, required } = objectShape(tool.function.parameters);
  const fitted = Object.fromEntries(
    Object.entries(args).flatMap(([name, value]) => {
      const schema = properties[name];
      if (!schema) return [];
      const type = schemaType(schema);
      if ((type === "number" || type === "integer") && typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
        return [[name, Number(value)]];
      }
      if (type === "string" && typeof value !== "string") return [[name, Array.isArray(value) ? value.join(", ") : String(value)]];
      if (type === "array" && !Array.isArray(value)) return [[name, [value]]];
      return [[name, value]];
    }),
  );
  return [...required].every((name) => name in fitted) ? fitted : undefined;
}

function fillAll(value: unknown, data: Field[][]): unknown {
  if (typeof value === "string") return fillPlaceholders(value, data);
  if (Array.isArray(value)) return value.map((item) => fillAll(item, data));
  return value;
}
