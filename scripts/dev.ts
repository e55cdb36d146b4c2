import { spawn } from "node:child_process";
import path from "node:path";
import { loadEnvFiles } from "../sandbox/env-files";
import { startSandbox } from "../sandbox/start";

/**
 * `npm run dev` (next dev) and `npm run start:sandbox` (next start): start the sandbox for every service
 * left unset, then run Next with the resulting environment. The app itself only ever reads variables.
 */
const mode = process.argv[2] === "start" ? "start" : "dev";
loadEnvFiles();
const sandbox = await startSandbox({ env: process.env, dataDir: path.resolve(process.env.DELEGATE_DATA_DIR ?? ".data") });

const next = spawn(process.execPath, [path.resolve("node_modules/next/dist/bin/next"), mode], {
  env: { ...process.env, ...sandbox.env },
  stdio: "inherit",
});

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  next.kill("SIGTERM");
  await sandbox.close();
  process.exit(code);
}
next.on("exit", (code) => void stop(code ?? 0));
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
