import "server-only";
import { convertToModelMessages, isStepCount, streamText } from "ai";
import type { CurrentUser } from "@/lib/auth/session";
import { instructions } from "./instructions";
import { chatModel } from "./model";
import { createTools } from "./tools";
import type { ChatMessage } from "./types";

/** One agent turn: the model may call tools for several steps before it answers. */
export async function runAgent({
  user,
  messages,
  abortSignal,
}: {
  user: CurrentUser;
  messages: ChatMessage[];
  abortSignal?: AbortSignal;
}) {
  const tools = createTools({ user });
  const result = streamText({
    model: chatModel(),
    instructions,
    tools,
    messages: await convertToModelMessages(messages, { tools, ignoreIncompleteToolCalls: true }),
    stopWhen: isStepCount(6),
    abortSignal,
  });
  return { result, tools };
}
