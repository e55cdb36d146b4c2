import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { removeSandboxEnv, writeSandboxEnv } from "@/sandbox/env-files";
import type { Sandbox } from "@/sandbox/start";

/**
 * `npm run doctor` while `npm run dev` runs: the sandbox is started exactly as scripts/dev.ts starts it (every
 * stand-in, seeded, its settings left in the data dir), and the doctor, given nothing but that data dir, passes.
 */
let dataDir: string;
let sandbox: Sandbox | undefined;
// Nothing configured: `npm run dev` starts every stand-in, and the doctor must find them all through the file.
const bareEnv = (): NodeJS.ProcessEnv => ({ NODE_ENV: "test", PATH: process.env.PATH, HOME: process.env.HOME, DELEGATE_DATA_DIR: dataDir });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-doctor-dev-"));
  // Free ports, so this sandbox runs beside any other.
  for (const service of ["IDENTITY", "FGA", "MODEL", "PROVIDERS", "SHOP", "POSTGRES"]) vi.stubEnv(`SANDBOX_${service}_PORT`, "0");
  const { startSandbox } = await import("@/sandbox/start");
  sandbox = await startSandbox({ env: bareEnv(), dataDir, log: () => {} });
  writeSandboxEnv(dataDir, sandbox.env);
}, 240_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await sandbox?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const runDoctorScript = () =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/doctor.ts"], { cwd: process.cwd(), env: bareEnv(), timeout: 120_000 });

it("passes every line it can check, from the settings npm run dev left for it", { timeout: 150_000 }, async () => {
  const { stdout } = await runDoctorScript();
  expect(stdout).toContain(`with the settings of the sandbox \`npm run dev\` is running (${path.join(dataDir, "sandbox.env")})`);
  expect(stdout).toContain("✓ Issuer discovery");
  expect(stdout).toContain("✓ FGA authorization model");
  expect(stdout).toContain("– Refresh-token policy for the My Account API: not checked: set DOCTOR_REFRESH_TOKEN");
  expect(stdout).toContain("17 passed, 0 failed, 1 not checked.");
  expect(stdout).not.toContain(sandbox!.env.AUTH0_CLIENT_SECRET!);
  expect(stdout).not.toContain(sandbox!.env.AUTH0_SECRET!);
});

it("without a running sandbox or any settings, says what is not configured and exits 1", { timeout: 150_000 }, async () => {
  removeSandboxEnv(dataDir);
  const failed = await runDoctorScript().then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr).toContain("AUTH0_DOMAIN is not set.");
  expect(failed?.stderr).toContain("Run `npm run dev` to use the local sandbox");
});
