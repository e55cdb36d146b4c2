import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freeSandboxBase, portOffset, sandboxEnv, startScript, stopScript, waitForOk } from "./util";

/** Wall time from `npm run dev` (sandbox start, migrations, next dev) to the first page served. */
export async function benchDevStart() {
  const port = await freeSandboxBase(3300 + portOffset());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-bench-dev-"));
  const started = performance.now();
  const child = startScript("scripts/dev.ts", [], { ...sandboxEnv(port), DELEGATE_DATA_DIR: dataDir });
  try {
    const servedAt = await waitForOk(`http://localhost:${port}/`, 120_000);
    return { firstPageMs: servedAt - started };
  } finally {
    stopScript(child);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await rm(dataDir, { recursive: true, force: true });
  }
}
