import { parseJsonEventStream, readUIMessageStream, uiMessageChunkSchema, type UIMessage, type UIMessageChunk } from "ai";

export interface Reply {
  /** The assistant message as the stream left it. */
  message: UIMessage | undefined;
  /** What went wrong mid-reply, as the server worded it for the user. */
  errors: string[];
}

/**
 * Reads the chat API's reply (the AI SDK's UI message stream, server-sent events) with the SDK's own parser and
 * message builder, calling `onUpdate` with each state of the message. `previous` is the assistant message a resumed
 * call or an answered approval continues: the server streams into it by id.
 */
export async function readReply(body: ReadableStream<Uint8Array>, previous: UIMessage | undefined, onUpdate: (message: UIMessage) => void): Promise<Reply> {
  const errors: string[] = [];
  let cut: unknown;
  const chunks = parseJsonEventStream({ stream: endOnFailure(body, (error) => (cut = error)), schema: uiMessageChunkSchema }).pipeThrough(
    new TransformStream<{ success: true; value: unknown } | { success: false; error: Error }, UIMessageChunk>({
      transform(parsed, controller) {
        if (parsed.success) controller.enqueue(parsed.value as UIMessageChunk);
        else errors.push("Part of the reply could not be read.");
      },
    }),
  );
  let message = previous;
  for await (const state of readUIMessageStream({ message: previous, stream: chunks, onError: (error) => errors.push(errorText(error)) })) {
    message = state;
    onUpdate(state);
  }
  if (cut !== undefined) errors.push(`The connection to Delegate was lost before the answer ended (${errorText(cut)}). The chat has the rest.`);
  return { message, errors };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The body, ending cleanly where the network cut it (the failure goes to `onFailure`): an error passed down the pipe
 * would discard what had arrived but was not yet read, and the user should see all of it. The turn itself goes on
 * on the server (lib/chat/reply.ts); only this copy of it was cut.
 */
function endOnFailure(body: ReadableStream<Uint8Array>, onFailure: (error: unknown) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        onFailure(error);
        controller.close();
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}
