import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Writes Server-Sent Events as OpenAI does (`data: <json>` per event, then `data: [DONE]`), pausing
 * `delayMs` between events so a UI shows text arriving and can stop it. When the client goes away
 * the pause is cut short and nothing more is written.
 */
export async function streamEvents(res: ServerResponse, events: Iterable<unknown>, delayMs: number): Promise<"completed" | "aborted"> {
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
    let first = true;
    for (const event of events) {
      if (!first && delayMs > 0) await sleep(delayMs, undefined, { signal: disconnected.signal });
      first = false;
      await write(res, `data: ${JSON.stringify(event)}\n\n`, disconnected.signal);
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
