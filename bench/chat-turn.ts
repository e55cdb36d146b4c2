import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { isStepCount, streamText, tool } from "ai";
import { instructions } from "../lib/ai/instructions";
import { getUserProfile } from "../lib/ai/tools/get-user-profile";
import { httpApp, signInWithSandbox } from "../sandbox/identity/test-login";
import { readReply } from "./reply-stream";
import { freeSandboxBase, median, percentile, portOffset, sandboxEnv, startScript, stopScript, waitForOk } from "./util";

/**
 * Server overhead of one chat turn: POST /api/chat on a production server (session check, persistence, audit, the
 * permission check, the agent loop, resumable streaming) against a bare `streamText` call with the same sandbox model
 * and tool, in the same run. Two figures for each: the time to the first text delta (what the user waits for before
 * the answer starts) and the time to the end of the turn.
 */
const TURNS = Number(process.env.BENCH_TURNS ?? 20);
const WARMUP = 3;
const EMAIL = "alice@example.com";
const QUESTION = "Who am I?";

/** One measured run: when its first text delta arrived and when it ended, in ms from its start. */
interface Run {
  firstTextMs: number;
  totalMs: number;
}

export interface Figures {
  medianMs: number;
  p95Ms: number;
}

export interface ChatTurnResult {
  turns: number;
  firstText: { chat: Figures; baseline: Figures; ratio: number };
  turn: { chat: Figures; baseline: Figures; ratio: number };
}

export async function benchChatTurn(): Promise<ChatTurnResult> {
  const port = await freeSandboxBase(3200 + portOffset());
  const appBaseUrl = `http://localhost:${port}`;
  const env = sandboxEnv(port);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-bench-"));
  const server = startScript("scripts/dev.ts", ["start"], {
    ...env,
    DELEGATE_DATA_DIR: dataDir,
    // The per-user allowance (default 20 a minute) would refuse a benchmark running turns back to back; the
    // documented variable (README.md, "Rate limits"), raised for this server only. The count itself still runs.
    RATE_LIMIT_CHAT_TURNS_PER_MINUTE: "1000000",
  });
  // The end of what the server printed, shown if the run fails.
  const serverOutput: string[] = [];
  for (const stream of [server.stdout, server.stderr]) {
    stream?.on("data", (chunk: Buffer) => serverOutput.push(chunk.toString()) > 200 && serverOutput.shift());
  }
  try {
    await waitForOk(appBaseUrl, 120_000);
    const { appCookie } = await signInWithSandbox(httpApp, { email: EMAIL, appBaseUrl });

    const chatTurn = async (): Promise<Run> => {
      const started = performance.now();
      const response = await fetch(`${appBaseUrl}/api/chat`, {
        method: "POST",
        // What the app's own page sends: the route refuses a state change from anywhere else.
        headers: { "content-type": "application/json", cookie: appCookie, origin: appBaseUrl, "sec-fetch-site": "same-origin" },
        body: JSON.stringify({
          id: crypto.randomUUID(),
          message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: QUESTION }] },
        }),
      });
      if (!response.ok || !response.body) throw new Error(`chat turn failed: ${response.status} ${await response.text()}`);
      return answered(await readReply(response.body, started), "chat turn");
    };

    const model = createOpenAI({ apiKey: "sandbox", baseURL: `http://127.0.0.1:${env.SANDBOX_MODEL_PORT}/v1` }).chat("delegate-sandbox");
    const user = { name: "Alice Martin", email: EMAIL };
    const bareStreamText = async (): Promise<Run> => {
      const started = performance.now();
      const result = streamText({
        model,
        instructions: instructions({ timeZone: "UTC" }),
        // The same tool without the app's pipeline (no audit, no permission check): the baseline is the bare AI SDK loop.
        tools: {
          get_user_profile: tool({
            description: getUserProfile.declaration.description,
            inputSchema: getUserProfile.declaration.inputSchema,
            execute: async () => user,
          }),
        },
        prompt: QUESTION,
        stopWhen: isStepCount(6),
      });
      let firstTextMs: number | undefined;
      let text = "";
      for await (const delta of result.textStream) {
        firstTextMs ??= performance.now() - started;
        text += delta;
      }
      return answered({ firstTextMs, totalMs: performance.now() - started, text }, "baseline turn");
    };

    const runs = { chat: [] as Run[], baseline: [] as Run[] };
    for (let i = 0; i < WARMUP + TURNS; i++) {
      // Interleaved, so drift on a busy machine hits both sides alike.
      const baseline = await bareStreamText();
      const chat = await chatTurn();
      if (i < WARMUP) continue;
      runs.baseline.push(baseline);
      runs.chat.push(chat);
    }
    return { turns: TURNS, firstText: compare(runs, (run) => run.firstTextMs), turn: compare(runs, (run) => run.totalMs) };
  } catch (error) {
    console.error(serverOutput.join("").slice(-4000));
    throw error;
  } finally {
    stopScript(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The run, once its answer is known to be the right one: a fast wrong answer would flatter either side. */
function answered(reply: { firstTextMs: number | undefined; totalMs: number; text: string }, what: string): Run {
  if (reply.firstTextMs === undefined || !reply.text.includes(EMAIL)) throw new Error(`${what} did not answer with ${EMAIL}: ${JSON.stringify(reply.text)}`);
  return { firstTextMs: reply.firstTextMs, totalMs: reply.totalMs };
}

function compare(runs: { chat: Run[]; baseline: Run[] }, measure: (run: Run) => number) {
  const figures = (side: Run[]): Figures => ({ medianMs: median(side.map(measure)), p95Ms: percentile(side.map(measure), 95) });
  const chat = figures(runs.chat);
  const baseline = figures(runs.baseline);
  return { chat, baseline, ratio: chat.medianMs / baseline.medianMs };
}
