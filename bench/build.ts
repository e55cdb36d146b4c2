import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * What `next build` reads: the app's code, its static files and the configuration that shapes the bundle (the .env
 * files too, since NEXT_PUBLIC_ values are inlined). Tests are not built, so editing one does not make the build old.
 */
const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "db",
  "public",
  "proxy.ts",
  "instrumentation.ts",
  "instrumentation-client.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package.json",
  "package-lock.json",
  ".env",
  ".env.local",
  ".env.production",
  ".env.production.local",
];
const NOT_BUILT = /\.test\.tsx?$/;

export const BUILD_ID = ".next/BUILD_ID";

/**
 * Why the production build in `root` cannot be used as it is: there is none, or a build input changed after it was
 * made (the newest such file is named). Null when it is up to date.
 */
export function staleBuildReason(root: string): string | null {
  const buildId = path.join(root, BUILD_ID);
  if (!existsSync(buildId)) return `no production build (${BUILD_ID})`;
  const builtAt = statSync(buildId).mtimeMs;
  const newest = newestInput(root);
  return newest && newest.mtimeMs > builtAt ? `${newest.file} changed since the last build` : null;
}

function newestInput(root: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  const visit = (relative: string) => {
    const absolute = path.join(root, relative);
    const stat = statSync(absolute, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const entry of readdirSync(absolute)) visit(path.join(relative, entry));
    } else if (!NOT_BUILT.test(relative) && (!newest || stat.mtimeMs > newest.mtimeMs)) {
      newest = { file: relative, mtimeMs: stat.mtimeMs };
    }
  };
  BUILD_INPUTS.forEach(visit);
  return newest;
}

/** Runs `next build` when the build is missing or older than its sources, saying why; otherwise does nothing. */
export async function ensureProductionBuild(root = process.cwd()): Promise<void> {
  const reason = staleBuildReason(root);
  if (!reason) return;
  console.log(`Building first: ${reason}. Running \`next build\` (a few minutes)…`);
  const code = await new Promise<number | null>((resolve, reject) =>
    spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: "inherit",
    })
      .on("error", reject)
      .on("exit", resolve),
  );
  if (code !== 0) throw new Error(`\`next build\` failed (exit code ${code}); the benchmark needs a production build.`);
}
