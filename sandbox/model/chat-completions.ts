import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { planGullibly } from "./gullible-planner";
import { HttpError, sendJson } from "./http";
import { SANDBOX_GULLIBLE_MODEL } from "./models";
import { plan, type Plan } from "./planner";
import { streamEvents } from "./sse";
import { approximateTokens } from "./text";
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, FinishReason, ToolCall, Usage } from "./wire";

const ROLES = ["system", "developer", "user", "assistant", "tool"];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Rejects what OpenAI would reject, with its messages, so client error handling can be exercised. */
function parseRequest(body: unknown): ChatCompletionRequest {
  if (!isRecord(body)) throw new HttpError(400, "Invalid type for request body: expected an object.");
  if (typeof body.model !== "string" || !body.model) throw new HttpError(400, "you must provide a model parameter");
  const { messages, tools } = body;
  if (messages === undefined) {
    throw new HttpError(400, "Missing required parameter: 'messages'.", undefined, "messages", "missing_required_parameter");
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new HttpError(400, "Invalid 'messages': expected a non-empty array.", undefined, "messages", "invalid_type");
  }
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    if (!isRecord(message) || !ROLES.includes(message.role as string)) {
      throw new HttpError(400, `Invalid value for '${param}.role'. Supported values are: ${ROLES.map((r) => `'${r}'`).join(", ")}.`, undefined, `${param}.role`, "invalid_value");
    }
    const { content } = message;
    if (!(typeof content === "string" || Array.isArray(content) || (message.role === "assistant" && content == null))) {
      throw new HttpError(400, `Invalid type for '${param}.content': expected a string or an array of content parts.`, undefined, `${param}.content`, "invalid_type");
    }
    if (message.role === "tool" && typeof message.tool_call_id !== "string") {
      throw new HttpError(400, `Missing required parameter: '${param}.tool_call_id'.`, undefined, `${param}.tool_call_id`, "missing_required_parameter");
    }
  });
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw new HttpError(400, "Invalid 'tools': expected an array.", undefined, "tools", "invalid_type");
    tools.forEach((tool, i) => {
      if (!isRecord(tool) || tool.type !== "function" || !isRecord(tool.function) || typeof tool.function.name !== "string") {
        throw new HttpError(400, `Invalid 'tools[${i}]': expected { type: 'function', function: { name, … } }.`, undefined, `tools[${i}]`, "invalid_value");
      }
    });
  }
  const choice = body.tool_choice;
  const namedChoice = isRecord(choice) && choice.type === "function" && isRecord(choice.function) && typeof choice.function.name === "string";
  if (choice !== undefined && !["none", "auto", "required"].includes(choice as string) && !namedChoice) {
    throw new HttpError(400, "Invalid 'tool_choice': expected 'none', 'auto', 'required' or { type: 'function', function: { name } }.", undefined, "tool_choice", "invalid_value");
  }
  return body as unknown as ChatCompletionRequest;
}

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString("hex")}`;
}

function usageFor(request: ChatCompletionRequest, output: string): Usage {
  const prompt = approximateTokens(JSON.stringify(request.messages) + JSON.stringify(request.tools ?? []));
  const completion = approximateTokens(output);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** Word-sized pieces (each with its trailing whitespace) so the text visibly streams. */
function textPieces(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? [text];
}

/** OpenAI streams arguments in small fragments; clients must reassemble them, so the sandbox does too. */
function argumentPieces(json: string): string[] {
  return json.match(/[\s\S]{1,12}/g) ?? [json];
}

interface Turn {
  id: string;
  created: number;
  model: string;
  finishReason: FinishReason;
  text: string | null;
  toolCalls: ToolCall[];
}

function* chunks(turn: Turn, usage: Usage | undefined): Generator<ChatCompletionChunk> {
  const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finishReason: FinishReason | null = null): ChatCompletionChunk => ({
    id: turn.id,
    object: "chat.completion.chunk",
    created: turn.created,
    model: turn.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    // With include_usage OpenAI sends `usage: null` on every chunk before the last.
    ...(usage ? { usage: null } : {}),
  });
  if (turn.text !== null) {
    yield chunk({ role: "assistant", content: "", refusal: null });
    for (const piece of textPieces(turn.text)) yield chunk({ content: piece });
  } else {
    yield chunk({ role: "assistant", content: null, refusal: null });
  }
  for (const [index, call] of turn.toolCalls.entries()) {
    yield chunk({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] });
    for (const piece of argumentPieces(call.function.arguments)) yield chunk({ tool_calls: [{ index, function: { arguments: piece } }] });
  }
  yield chunk({}, turn.finishReason);
  if (usage) yield { id: turn.id, object: "chat.completion.chunk", created: turn.created, model: turn.model, choices: [], usage };
}

function toTurn(request: ChatCompletionRequest, planned: Plan): Turn {
  const base = { id: randomId("chatcmpl-"), created: Math.floor(Date.now() / 1000), model: request.model };
  if (planned.type === "text") return { ...base, finishReason: "stop", text: planned.text, toolCalls: [] };
  const toolCalls = planned.calls.map((call): ToolCall => ({
    id: randomId("call_"),
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
  return { ...base, finishReason: "tool_calls", text: null, toolCalls };
}

/**
 * Serves one `POST /v1/chat/completions`; resolves to what the request log line should say about it. `takeCut`
 * says how a streamed answer in text is cut, if it is (stream-cuts.ts).
 */
export async function handleChatCompletions(
  body: unknown,
  res: ServerResponse,
  chunkDelayMs: number,
  takeCut: () => { afterEvents: number; stall: boolean } | undefined = () => undefined,
): Promise<string> {
  const request = parseRequest(body);
  const planner = request.model === SANDBOX_GULLIBLE_MODEL ? planGullibly : plan;
  const planned = planner({ messages: request.messages as ChatMessage[], tools: request.tools, toolChoice: request.tool_choice });
  const turn = toTurn(request, planned);
  const output = turn.text ?? turn.toolCalls.map((c) => c.function.arguments).join("");
  const usage = usageFor(request, output);
  const decision = planned.type === "text" ? "text" : `tool ${planned.calls.map((c) => c.name).join(", ")}`;
  const summary = `model=${request.model} stream=${request.stream === true} → ${decision}`;

  if (request.stream !== true) {
    const completion: ChatCompletion = {
      id: turn.id,
      object: "chat.completion",
      created: turn.created,
      model: turn.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: turn.text, refusal: null, ...(turn.toolCalls.length > 0 ? { tool_calls: turn.toolCalls } : {}) },
          logprobs: null,
          finish_reason: turn.finishReason,
        },
      ],
      usage,
    };
    sendJson(res, 200, completion);
    return summary;
  }

  const includeUsage = request.stream_options?.include_usage === true;
  const cut = planned.type === "text" ? takeCut() : undefined;
  const outcome = await streamEvents(res, chunks(turn, includeUsage ? usage : undefined), chunkDelayMs, cut);
  if (outcome === "cut") return `${summary} (cut after ${cut?.afterEvents} events)`;
  return outcome === "aborted" ? `${summary} (client disconnected)` : summary;
}
