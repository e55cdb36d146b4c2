import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { HttpError, readJson } from "./http";

/**
 * Sandbox-only: `POST /__sandbox/stream-cuts` with `{ "afterEvents": 6, "times": 1 }` makes the next streamed
 * answer(s) in text stop after that many events, without `data: [DONE]`, the connection dropped, as a network
 * cut or a crashed model server leaves a reply half-sent; with `"stall": true` the connection stays open and
 * silent instead, as an overloaded server or a stuck proxy leaves it. The faults of sandbox/faults.ts replace a whole answer;
 * this one happens inside one. Tool-call steps are never cut, so a cut always falls in what the user reads.
 * `DELETE` clears. OpenAI has no such endpoint.
 *
 *   curl -X POST localhost:4002/__sandbox/stream-cuts -H 'content-type: application/json' -d '{"afterEvents": 6}'
 */
export const STREAM_CUTS_PATH = "/__sandbox/stream-cuts";

const cutSchema = z.strictObject({
  /** Events sent before the cut; the first carries only the role, each later one a word or so. */
  afterEvents: z.number().int().min(1).max(10_000),
  times: z.number().int().min(1).max(1000).default(1),
  stall: z.boolean().default(false),
});

export type StreamCut = z.input<typeof cutSchema>;

export class StreamCuts {
  private cuts: z.output<typeof cutSchema>[] = [];

  /** Answers the admin endpoint. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<string> {
    if (req.method === "DELETE") {
      this.cuts = [];
      res.writeHead(204).end();
      return "stream cuts cleared";
    }
    if (req.method !== "POST") throw new HttpError(405, `${req.method} is not allowed here.`);
    const parsed = cutSchema.safeParse(await readJson(req));
    if (!parsed.success) throw new HttpError(400, z.prettifyError(parsed.error));
    this.cuts.push(parsed.data);
    res.writeHead(204).end();
    return "stream cut queued";
  }

  /** How the next text answer is cut, used up by one; undefined for the whole answer. */
  take(): { afterEvents: number; stall: boolean } | undefined {
    const cut = this.cuts[0];
    if (!cut) return undefined;
    cut.times -= 1;
    if (cut.times === 0) this.cuts.shift();
    return { afterEvents: cut.afterEvents, stall: cut.stall };
  }
}

/** For tests: the next `times` text answers of the sandbox model at `baseURL` (".../v1") are cut. */
export async function cutModelStream(baseURL: string, cut: StreamCut): Promise<void> {
  const response = await fetch(new URL(STREAM_CUTS_PATH, baseURL), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(cut),
  });
  if (response.status !== 204) throw new Error(`stream cut refused: ${response.status} ${await response.text()}`);
}

/** For tests: clears the cuts queued on the sandbox model at `baseURL`. */
export async function clearStreamCuts(baseURL: string): Promise<void> {
  const response = await fetch(new URL(STREAM_CUTS_PATH, baseURL), { method: "DELETE" });
  if (response.status !== 204) throw new Error(`stream cuts not cleared: ${response.status}`);
}
