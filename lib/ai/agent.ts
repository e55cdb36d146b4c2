import "server-only";
import { convertToModelMessages, isStepCount, streamText, type StopCondition, type ToolSet } from "ai";
import { inChatApprovalRequest } from "@/lib/auth/in-chat-approval";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { deriveKey } from "@/lib/auth/secrets";
import type { ToolContext } from "@/lib/auth/tool-context";
import { chatModel } from "@/lib/model";
import { instructions } from "./instructions";
import { createTools, DECLARED_TOOLS, usableToolsFor } from "./tools";
import { needsChatApproval } from "./tools/pipeline";
import type { ChatMessage } from "./types";

/**
 * The most tokens one model step may generate: a long answer fits, a runaway one is cut off. Reasoning models
 * (gpt-5-mini, the default) count their hidden reasoning in this cap (`max_completion_tokens`), hence 8k, not 4k.
 */
const MAX_REPLY_TOKENS = 8_192;

/** The loop stops as soon as a tool is waiting for the user: the model never reasons over an unfinished call. */
const waitingForUser: StopCondition<ToolSet> = ({ steps }) =>
  steps.at(-1)?.toolResults.some((result) => isInterruptedOutput(result.output)) ?? false;

/**
 * The AI SDK asks the user in the chat before it runs any usable tool that declares the in-chat approval authorizer
 * (an unavailable one has nothing to approve: it only explains why it is off).
 */
const toolApprovalFor = (usable: ReadonlySet<string>) =>
  Object.fromEntries(
    DECLARED_TOOLS.filter(({ declaration }) => usable.has(declaration.name) && needsChatApproval(declaration)).map(
      ({ declaration }) => [declaration.name, inChatApprovalRequest],
    ),
  );

/**
 * One agent turn: the model may call tools for several steps before it answers. `usable` is the tools the user lets
 * the agent use this turn (usableToolsFor), when the caller asked for them ahead, alongside its own work.
 */
export async function runAgent({
  context,
  messages,
  abortSignal,
  usable: asked = usableToolsFor(context.user.sub),
}: {
  context: ToolContext;
  messages: ChatMessage[];
  abortSignal?: AbortSignal;
  usable?: Promise<ReadonlySet<string>>;
}) {
  const usable = await asked;
  // The turn is the user's message that started it; the audit trail groups a turn's calls by it.
  const tools = createTools({ ...context, turnId: messages.findLast((message) => message.role === "user")?.id }, usable);
  const result = streamText({
    model: chatModel(),
    instructions: instructions(context),
    tools,
    messages: await convertToModelMessages(messages, { tools, ignoreIncompleteToolCalls: true }),
    stopWhen: [isStepCount(6), waitingForUser],
    // Approvals are HMAC-signed over the call's id, name and input, so one cannot be forged or moved to another call.
    toolApproval: toolApprovalFor(usable),
    experimental_toolApprovalSecret: deriveKey("tool-approval-v1").toString("base64url"),
    maxOutputTokens: MAX_REPLY_TOKENS,
    // A failed step also reaches the UI stream, where describeStreamError logs its name and code; the SDK's
    // default here would print the whole error, and a model error carries the prompt in its request body.
    onError: () => {},
    abortSignal,
  });
  return { result, tools };
}
