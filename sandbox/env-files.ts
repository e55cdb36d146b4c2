import { existsSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Loads .env.local then .env into process.env (existing variables win), as Next does for the app. */
export function loadEnvFiles() {
  for (const file of [".env.local", ".env"]) if (existsSync(file)) process.loadEnvFile(file);
}

/** Where the sandbox keeps its state (DELEGATE_DATA_DIR, default .data). */
export const sandboxDataDir = (): string => path.resolve(process.env.DELEGATE_DATA_DIR ?? ".data");

/**
 * The variables `npm run dev` added for the stand-ins it runs, kept in the data dir while it runs (owner-only, like
 * the secrets already there) so that `npm run doctor` checks the same sandbox the app uses.
 */
const sandboxEnvFile = (dataDir: string) => path.join(dataDir, "sandbox.env");

export function writeSandboxEnv(dataDir: string, env: Record<string, string>): void {
  const lines = Object.entries(env).map(([name, value]) => {
    if (/[\r\n]/.test(value)) throw new Error(`${name} holds a line break and cannot be written to ${sandboxEnvFile(dataDir)}`);
    return `${name}=${value}`;
  });
  writeFileSync(sandboxEnvFile(dataDir), `${lines.join("\n")}\n`, { mode: 0o600 });
}

export function removeSandboxEnv(dataDir: string): void {
  rmSync(sandboxEnvFile(dataDir), { force: true });
}

/** Fills variables still unset from a running `npm run dev`'s sandbox; returns the file read, if there was one. */
export function loadSandboxEnv(dataDir: string): string | undefined {
  const file = sandboxEnvFile(dataDir);
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}
