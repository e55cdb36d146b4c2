import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs a Node script in its own process group so that stopping it also stops Next and the sandbox. */
export function startScript(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), script, ...args], {
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
}

export function stopScript(child: ChildProcess) {
  if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
}

/** Polls until `url` answers 200, giving up after `timeoutMs`. Returns when it first did. */
export async function waitForOk(url: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s`);
}

/** Ports for a whole sandbox starting at `base` (app on base, identity base+1000, …), clear of `npm run dev`'s. */
export function sandboxEnv(base: number): Record<string, string> {
  return {
    PORT: String(base),
    SANDBOX_IDENTITY_PORT: String(base + 1000),
    SANDBOX_FGA_PORT: String(base + 1001),
    SANDBOX_MODEL_PORT: String(base + 1002),
    SANDBOX_PROVIDERS_PORT: String(base + 1003),
    SANDBOX_SHOP_PORT: String(base + 1004),
    SANDBOX_POSTGRES_PORT: String(base + 2433),
  };
}

/**
 * E2E_PORT_OFFSET moves the benchmark's ports as it moves the end-to-end tests' (playwright.config.ts), so checkouts
 * that set different offsets can run both side by side.
 */
export const portOffset = () => Number(process.env.E2E_PORT_OFFSET ?? 0);

/**
 * The first base from `preferred` up whose every sandbox port (sandboxEnv) is free now, so a benchmark never
 * talks to another run's server by mistake; gives up after `attempts` bases.
 */
export async function freeSandboxBase(preferred: number, attempts = 50): Promise<number> {
  for (let base = preferred; base < preferred + attempts; base++) {
    const ports = Object.values(sandboxEnv(base)).map(Number);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error(`No free set of sandbox ports from ${preferred} to ${preferred + attempts - 1}; set E2E_PORT_OFFSET to move them.`);
}

/** Whether nothing listens on `port`, on any address: listening without a host claims them all. */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
