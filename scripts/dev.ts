import { spawn } from "node:child_process";
import { mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { loadEnvFiles, removeSandboxEnv, sandboxDataDir, writeSandboxEnv } from "../sandbox/env-files";
import { startSandbox } from "../sandbox/start";

/**
 * `npm run dev` (next dev) and `npm run start:sandbox` (next start): start the sandbox for every service
 * left unset, then run Next with the resulting environment. The app itself only ever reads variables.
 *
 * DELEGATE_LOG_FILE=<file> also appends everything the sandbox and the app print to that file, so tests can
 * read what an operator's log collector would receive.
 */
const mode = process.argv[2] === "start" ? "start" : "dev";
const LOCAL_ONLY_FLAG = "--i-know-this-is-local";

loadEnvFiles();
const logFile = process.env.DELEGATE_LOG_FILE?.trim();
if (logFile) copyOutputTo(logFile);
refuseProduction();

const dataDir = sandboxDataDir();
const sandbox = await startSandbox({ env: process.env, dataDir });
// `npm run doctor` reads these to check the sandbox the app is using.
if (sandbox.services.length > 0) writeSandboxEnv(dataDir, sandbox.env);
else removeSandboxEnv(dataDir);
// A production build whose sign-in, model, shop and permissions may be stand-ins: local use only.
const localOnly = mode === "start" && sandbox.services.length > 0;
if (localOnly) announceLocalOnly(sandbox.services);

const next = spawn(
  process.execPath,
  [path.resolve("node_modules/next/dist/bin/next"), mode, ...(localOnly ? ["--hostname", "localhost"] : [])],
  {
    env: { ...process.env, ...sandbox.env },
    // Piped only when copied: inherited output keeps Next's colours.
    stdio: logFile ? ["inherit", "pipe", "pipe"] : "inherit",
  },
);
next.stdout?.pipe(process.stdout);
next.stderr?.pipe(process.stderr);

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  next.kill("SIGTERM");
  removeSandboxEnv(dataDir);
  await sandbox.close();
  process.exit(code);
}
next.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

/**
 * The stand-ins sign anyone in as the seeded users with a published password and fake every service, so they
 * must never be mistaken for a deployment: NODE_ENV=production is refused unless the operator says otherwise.
 */
function refuseProduction() {
  const allowed = process.argv.includes(LOCAL_ONLY_FLAG) || process.env.DELEGATE_ALLOW_SANDBOX_IN_PRODUCTION === "1";
  if (process.env.NODE_ENV !== "production" || allowed) return;
  console.error(
    [
      `Refusing to start: NODE_ENV is "production", and this script runs local stand-ins (sign-in with published`,
      `passwords, a scripted model, a fake shop) for every service left unset. To deploy, build with \`next build\``,
      `and run \`next start\` with every service configured (README.md, "Deploy to Vercel").`,
      `For a local production build on purpose, add ${LOCAL_ONLY_FLAG} (npm run start:sandbox -- ${LOCAL_ONLY_FLAG})`,
      `or set DELEGATE_ALLOW_SANDBOX_IN_PRODUCTION=1.`,
    ].join("\n"),
  );
  process.exit(1);
}

function announceLocalOnly(services: string[]) {
  const rule = "!".repeat(100);
  console.warn(
    [
      rule,
      `!! LOCAL USE ONLY: a production build running against sandbox stand-ins (${services.join(", ")}).`,
      "!! They are not Auth0, OpenAI or a real shop: anyone who reaches this server can sign in as a seeded user",
      "!! with the published password. It listens on localhost only. Never expose or deploy it.",
      rule,
    ].join("\n"),
  );
}

/** Appends every write to stdout and stderr, this process's and (piped through them) Next's, to `file`. */
function copyOutputTo(file: string) {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const fd = openSync(file, "a", 0o600);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      writeSync(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
}
