import { describe, expect, it } from "vitest";
import { readReply } from "./reply-stream";

/** A response body that arrives in the given pieces, as a socket may cut it: mid-event and mid-character. */
function body(pieces: (string | Uint8Array)[]) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(typeof piece === "string" ? encoder.encode(piece) : piece);
      controller.close();
    },
  });
}
const event = (chunk: object) => `data: ${JSON.stringify(chunk)}\n\n`;

describe("readReply", () => {
  it("reads the answer's text and the first text delta across events cut anywhere, ignoring other chunks", async () => {
    const stream = [
      event({ type: "start", messageId: "m1" }),
      event({ type: "tool-output-available", toolCallId: "call-1", output: { email: "zoë.o'brien@example.com" } }),
      event({ type: "text-delta", id: "0", delta: "You are **Zoë O'Brien** " }),
      event({ type: "text-delta", id: "0", delta: "(zoë.o'brien@example.com)." }),
      event({ type: "finish" }),
      "data: [DONE]\n\n",
    ].join("");
    const bytes = new TextEncoder().encode(stream);
    const cut = stream.indexOf("Zoë") + 2; // inside the two bytes of "ë"
    const reply = await readReply(body([bytes.slice(0, 7), bytes.slice(7, cut), bytes.slice(cut)]), performance.now());
    expect(reply.text).toBe("You are **Zoë O'Brien** (zoë.o'brien@example.com).");
    expect(reply.firstTextMs).toBeGreaterThanOrEqual(0);
    expect(reply.totalMs).toBeGreaterThanOrEqual(reply.firstTextMs!);
  });

  it("has no first text delta when the reply carries no text", async () => {
    const reply = await readReply(body([event({ type: "start" }), event({ type: "finish" })]), performance.now());
    expect(reply).toMatchObject({ text: "", firstTextMs: undefined });
  });

  it("fails on an error chunk, so a failed turn is never timed as an answer", async () => {
    const failed = body([event({ type: "text-delta", id: "0", delta: "You are" }), event({ type: "error", errorText: "The database is not answering (503)." })]);
    await expect(readReply(failed, performance.now())).rejects.toThrow("the reply failed: The database is not answering (503).");
  });
});
