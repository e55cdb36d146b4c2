import { execFile } from "node:child_process";
import path from "node:path";

const projectRoot = path.resolve(import.meta.dirname, "..");

export interface ScriptRun {
  /** The exit code; 0 on success. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run <script> -- <args>` from the project root, as a developer would, with only PATH, HOME and `env` set:
 * nothing of the test process's environment leaks in (empty strings keep a developer's .env.local out too).
 */
export function runNpmScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ScriptRun> {
  // No NODE_ENV either, as in a developer's shell (Next's types declare it always set).
  const childEnv: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
  return new Promise((resolve) => {
    execFile(
      "npm",
      ["run", "--silent", script, "--", ...args],
      { cwd: projectRoot, env: childEnv as NodeJS.ProcessEnv, timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}
