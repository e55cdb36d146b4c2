import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { createDatabase, dropDatabase } from "../scripts/fresh-database";
import { httpApp, signInWithSandbox } from "../sandbox/identity/test-login";
import { extraSandboxUsers } from "../sandbox/identity/users";
import { freeSandboxBase, percentile, portOffset, sandboxEnv, startScript, stopScript, waitForOk } from "./util";

/**
 * `npm run bench:load`: N signed-in users chatting at once against `next start` on a real PostgreSQL, at 1, 10 and
 * 50 users. Each turn is a new chat whose question makes the sandbox model call a tool (document search: embedding,
 * FGA list-objects and a pgvector query; or the user's profile), streamed to the end. Prints throughput, p50/p95
 * turn latency, errors and the most connections the database saw; exits non-zero on any error.
 *
 * BENCH_POSTGRES_URL (else TEST_DIRECT_DATABASE_URL, which the npm script sets from scripts/pooler-postgres.sh)
 * names the server; the run creates a database of its own there and drops it afterwards. Loopback only.
 */
const SERVER_URL = process.env.BENCH_POSTGRES_URL?.trim() || process.env.TEST_DIRECT_DATABASE_URL?.trim();
const STAGES = (process.env.BENCH_LOAD_USERS ?? "1,10,50").split(",").map(Number);
const STAGE_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 20);
// Moved by E2E_PORT_OFFSET, as the other benchmarks' servers, and on to the next free set when one is taken.
const port = await freeSandboxBase(3400 + portOffset());
const appBaseUrl = `http://localhost:${port}`;

/** Questions people ask, each answered through a tool call, with a phrase the finished answer must contain. */
const TURNS = [
  { question: "How many vacation days do we get?", expect: () => "25 days of paid vacation" },
  { question: "Who am I?", expect: (email: string) => email },
];

interface Stage {
  users: number;
  turns: number;
  errors: string[];
  seconds: number;
  latencies: number[];
  peakConnections: number;
}

if (!SERVER_URL) throw new Error("Set BENCH_POSTGRES_URL (or run `npm run bench:load`, which starts a throwaway server).");
if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(SERVER_URL).hostname)) {
  throw new Error(`bench:load runs on loopback only; ${new URL(SERVER_URL).hostname} is not.`);
}
if (!existsSync(".next/BUILD_ID")) throw new Error("No production build: run `npx next build` first.");

const database = `delegate_bench_${Date.now()}`;
const databaseUrl = await createDatabase(SERVER_URL, database);
const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-bench-load-"));
const maxUsers = Math.max(...STAGES);
const server = startScript("scripts/dev.ts", ["start"], {
  ...sandboxEnv(port),
  // A person of their own for every simulated user, as in real use: no per-user row is shared between sessions.
  SANDBOX_EXTRA_USERS: String(maxUsers),
  DELEGATE_DATA_DIR: dataDir,
  DATABASE_URL: databaseUrl,
  // The per-user allowance (default 20 a minute) would refuse a benchmark of a few users at full speed; the
  // variable is the documented one (README.md, "Rate limits"), raised for this server only.
  RATE_LIMIT_CHAT_TURNS_PER_MINUTE: "1000000",
});
// The end of what the server printed, to show if the run fails.
const serverOutput: string[] = [];
for (const stream of [server.stdout, server.stderr]) {
  stream?.on("data", (chunk: Buffer) => serverOutput.push(chunk.toString()) > 200 && serverOutput.shift());
}
const monitor = postgres(SERVER_URL, { max: 1, onnotice: () => {} });

try {
  await waitForOk(appBaseUrl, 180_000);
  // Each simulated user signs in through the real OIDC login (the app's /auth/login, the login form, /auth/callback).
  const sessions: { email: string; cookie: string }[] = [];
  for (const { email } of extraSandboxUsers(maxUsers)) {
    const { appCookie } = await signInWithSandbox(httpApp, { email, appBaseUrl });
    sessions.push({ email, cookie: appCookie });
  }
  // Not measured: the first request to each route and tool loads its code and opens the pools.
  for (const turn of TURNS) await chatTurn(sessions[0]!, turn);

  const stages: Stage[] = [];
  for (const users of STAGES) stages.push(await runStage(sessions.slice(0, users)));
  report(stages);
  process.exitCode = stages.some((stage) => stage.errors.length > 0) ? 1 : 0;
} catch (error) {
  console.error(serverOutput.join("").slice(-4000));
  throw error;
} finally {
  stopScript(server);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await monitor.end();
  await dropDatabase(SERVER_URL, database).catch((error: unknown) => console.error(`could not drop ${database}:`, error));
  await rm(dataDir, { recursive: true, force: true });
}

async function chatTurn(session: { email: string; cookie: string }, turn: (typeof TURNS)[number]) {
  const response = await fetch(`${appBaseUrl}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: session.cookie, origin: appBaseUrl, "sec-fetch-site": "same-origin" },
    body: JSON.stringify({
      id: crypto.randomUUID(),
      message: { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: turn.question }] },
    }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${body.slice(0, 200)}`);
  if (!body.includes('"type":"tool-input-available"')) throw new Error(`no tool call in the answer to "${turn.question}"`);
  if (!body.includes(turn.expect(session.email))) throw new Error(`the answer to "${turn.question}" lacks "${turn.expect(session.email)}"`);
}

/** Every session chats turn after turn until the stage's time is up; turns in flight then still count. */
async function runStage(sessions: { email: string; cookie: string }[]): Promise<Stage> {
  const stage: Stage = { users: sessions.length, turns: 0, errors: [], seconds: 0, latencies: [], peakConnections: 0 };
  let running = true;
  const sampling = (async () => {
    while (running) {
      const [row] = await monitor<{ count: number }[]>`select count(*)::int as count from pg_stat_activity where datname = ${database}`;
      stage.peakConnections = Math.max(stage.peakConnections, row?.count ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const started = performance.now();
  const deadline = started + STAGE_SECONDS * 1000;
  await Promise.all(
    sessions.map(async (session, i) => {
      for (let n = i; performance.now() < deadline; n++) {
        const turnStarted = performance.now();
        try {
          await chatTurn(session, TURNS[n % TURNS.length]!);
          stage.latencies.push(performance.now() - turnStarted);
        } catch (error) {
          stage.errors.push(error instanceof Error ? error.message : String(error));
        }
        stage.turns++;
      }
    }),
  );
  stage.seconds = (performance.now() - started) / 1000;
  running = false;
  await sampling;
  return stage;
}

function report(stages: Stage[]) {
  const base = stages[0]!;
  const throughput = (stage: Stage) => stage.latencies.length / stage.seconds;
  const p50 = (stage: Stage) => (stage.latencies.length > 0 ? percentile(stage.latencies, 50) : Number.NaN);
  const p95 = (stage: Stage) => (stage.latencies.length > 0 ? percentile(stage.latencies, 95) : Number.NaN);
  const ms = (value: number) => `${value.toFixed(0)} ms`.padStart(9);
  const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}×`.padStart(7);
  const machine = `${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}`;
  console.log(`\nChat turns with a tool call, ${STAGE_SECONDS} s per stage, next start on PostgreSQL (database ${database}; ${machine})`);
  console.log("  users  turns  turns/s   p50 turn   p95 turn  errors  peak DB connections   vs 1 user: turns/s    p50    p95");
  for (const stage of stages) {
    console.log(
      `  ${String(stage.users).padStart(5)}  ${String(stage.turns).padStart(5)}  ${throughput(stage).toFixed(2).padStart(7)}  ${ms(p50(stage))}  ${ms(p95(stage))}  ` +
        `${String(stage.errors.length).padStart(6)}  ${String(stage.peakConnections).padStart(19)}   ` +
        `${ratio(throughput(stage), throughput(base)).padStart(18)} ${ratio(p50(stage), p50(base))} ${ratio(p95(stage), p95(base))}`,
    );
  }
  const errors = stages.flatMap((stage) => stage.errors);
  if (errors.length > 0) {
    console.log(`\n${errors.length} failed turns (must be 0); the first ones:`);
    for (const message of [...new Set(errors)].slice(0, 5)) console.log(`  ${message}`);
  }
  console.log("  (DB connections: the app's pool and the sandbox FGA stand-in's, which keeps its store in the same database)");
}
