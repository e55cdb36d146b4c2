import type { UIMessage } from "ai";
import { postChat, type ChatRequestBody } from "./api";
import { answer, LeftWaiting, pendingOf, type TurnContext } from "./interrupts";
import { MessagePrinter } from "./render";
import type { Session } from "./session";
import { readReply } from "./stream";

export interface TurnResult {
  /** False when the reply failed part-way or the user left a call waiting. */
  ok: boolean;
}

/** How a turn reaches the API; tests replace it with recorded replies. */
export type Post = (body: ChatRequestBody) => Promise<ReadableStream<Uint8Array>>;
export const postWith = (session: Session): Post => (body) => postChat(session, body);

/**
 * One turn of the conversation: sends the user's message, prints the reply as it streams, and while the reply waits
 * for the user (an approval, a connected account, a decision on the authenticator) asks them in the terminal and
 * carries on with their answer, until the agent has finished.
 */
export async function runTurn(text: string, context: TurnContext, post: Post): Promise<TurnResult> {
  const printer = new MessagePrinter(context.terminal);
  let body: ChatRequestBody = {
    id: context.chatId,
    timeZone: context.timeZone,
    message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text }] },
  };
  let message: UIMessage | undefined;
  for (;;) {
    const reply = await readReply(await post(body), message, (state) => printer.update(state));
    printer.endLine();
    for (const error of reply.errors) context.terminal.say(`✗ ${error}`);
    if (reply.errors.length > 0) return { ok: false };
    message = reply.message;
    const pending = pendingOf(message, context.terminal.now());
    if (!pending) return { ok: true };
    try {
      body = await answer(pending, context);
    } catch (error) {
      if (!(error instanceof LeftWaiting)) throw error;
      context.terminal.say(`${error.message} It waits in the chat: ${new URL(`/chat/${context.chatId}`, context.origin).href}`);
      return { ok: false };
    }
  }
}

export const localTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
