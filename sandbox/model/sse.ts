import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Writes Server-Sent Events as OpenAI does (`data: <json>` per event, then `data: [DONE]`), pausing
 * `delayMs` between events so a UI shows text arriving and can stop it. When the client goes away
 * the pause is cut short and nothing more is written. `cut` drops the connection after that many events instead
 * of finishing, or leaves it open and silent until the client goes away (stream-cuts.ts).
 */
export async function streamEvents(
  res: ServerResponse,
  events: Iterable<unknown>,
  delayMs: number,
  cut?: { afterEvents: number; stall: boolean },
): Promise<"completed" | "aborted" | "cut"> {
  const disconnected = new AbortController();
  res.once("close", () => disconnected.abort());
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    // Proxies such as nginx would otherwise buffer the stream and defeat the pacing.
    "x-accel-buffering": "no",
  });
  res.flushHeaders();
  try {
    let sent = 0;
    for (const event of events) {
      if (sent === cut?.afterEvents) {
        if (cut.stall) {
          await new Promise((resolve) => disconnected.signal.addEventListener("abort", resolve, { once: true }));
          return "aborted";
        }
        // Ends the connection after what was written has gone out, without the chunked body's last chunk.
        res.socket?.end();
        return "cut";
      }
      if (sent > 0 && delayMs > 0) await sleep(delayMs, undefined, { signal: disconnected.signal });
      await write(res, `data: ${JSON.stringify(event)}\n\n`, disconnected.signal);
      sent += 1;
    }
    await write(res, "data: [DONE]\n\n", disconnected.signal);
  } catch (error) {
    if (disconnected.signal.aborted) return "aborted";
    throw error;
  }
  res.end();
  return "completed";
}

async function write(res: ServerResponse, text: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (res.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    res.once("drain", () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
