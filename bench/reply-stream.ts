/**
 * Reads a UI message stream (Server-Sent Events, one JSON chunk each) to its end: the answer's text, when its first
 * text delta arrived and when the stream closed.
 */
export async function readReply(body: ReadableStream<Uint8Array>, started: number) {
  let firstTextMs: number | undefined;
  let text = "";
  let pending = "";
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    pending += decoder.decode(read.value, { stream: true });
    const events = pending.split("\n\n");
    pending = events.pop()!;
    for (const event of events) {
      const data = event.startsWith("data: ") ? event.slice("data: ".length) : null;
      if (data === null || data === "[DONE]") continue;
      const chunk = JSON.parse(data) as { type: string; delta?: string; errorText?: string };
      if (chunk.type === "error") throw new Error(`the reply failed: ${chunk.errorText}`);
      if (chunk.type !== "text-delta") continue;
      firstTextMs ??= performance.now() - started;
      text += chunk.delta ?? "";
    }
  }
  return { firstTextMs, totalMs: performance.now() - started, text };
}
