import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { isStepCount, streamText, tool } from "ai";
import { instructions } from "../lib/ai/instructions";
import { getUserProfile } from "../lib/ai/tools/get-user-profile";
import { httpApp, signInWithSandbox } from "../sandbox/identity/test-login";
import { median, percentile, sandboxEnv, startScript, stopScript, waitForOk } from "./util";

/**
 * Server overhead of one chat turn: POST /api/chat on a production server (session check, persistence, the
 * agent loop, streaming) against a bare `streamText` call with the same sandbox model and tool, in the same run.
 */
const TURNS = Number(process.env.BENCH_TURNS ?? 20);
const WARMUP = 3;
const port = 3200;
const appBaseUrl = `http://localhost:${port}`;
const modelPort = Number(sandboxEnv(port).SANDBOX_MODEL_PORT);

export async function benchChatTurn() {
  if (!existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npx next build` first.");
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-bench-"));
  const server = startScript("scripts/dev.ts", ["start"], { ...sandboxEnv(port), DELEGATE_DATA_DIR: dataDir });
  try {
    await waitForOk(appBaseUrl, 120_000);
    const { appCookie } = await signInWithSandbox(httpApp, { email: "alice@example.com", appBaseUrl });

    const chatTurn = async () => {
      const response = await fetch(`${appBaseUrl}/api/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: appCookie },
        body: JSON.stringify({
          id: crypto.randomUUID(),
          message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: "Who am I?" }] },
        }),
      });
      const body = await response.text();
      if (!response.ok || !body.includes("alice@example.com")) throw new Error(`chat turn failed: ${response.status}`);
    };

    const model = createOpenAI({ apiKey: "sandbox", baseURL: `http://127.0.0.1:${modelPort}/v1` }).chat("delegate-sandbox");
    const user = { sub: "auth0|alice", name: "Alice Martin", email: "alice@example.com", picture: null };
    const bareStreamText = async () => {
      const result = streamText({
        model,
        instructions: instructions({ timeZone: "UTC" }),
        // The same tool without the app's pipeline (no audit writes): the baseline is the bare AI SDK loop.
        tools: {
          get_user_profile: tool({
            description: getUserProfile.declaration.description,
            inputSchema: getUserProfile.declaration.inputSchema,
            execute: async () => ({ name: user.name, email: user.email }),
          }),
        },
        prompt: "Who am I?",
        stopWhen: isStepCount(6),
      });
      if (!(await result.text).includes("alice@example.com")) throw new Error("baseline turn failed");
    };

    const timings = { turn: [] as number[], baseline: [] as number[] };
    for (let i = 0; i < WARMUP + TURNS; i++) {
      // Interleaved, so drift on a busy machine hits both sides alike.
      for (const [name, run] of [["baseline", bareStreamText], ["turn", chatTurn]] as const) {
        const started = performance.now();
        await run();
        if (i >= WARMUP) timings[name].push(performance.now() - started);
      }
    }
    const turn = median(timings.turn);
    const baseline = median(timings.baseline);
    return {
      turns: TURNS,
      chatTurnMedianMs: turn,
      chatTurnP95Ms: percentile(timings.turn, 95),
      baselineMedianMs: baseline,
      baselineP95Ms: percentile(timings.baseline, 95),
      overheadMs: turn - baseline,
      ratio: turn / baseline,
    };
  } finally {
    stopScript(server);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rm(dataDir, { recursive: true, force: true });
  }
}
