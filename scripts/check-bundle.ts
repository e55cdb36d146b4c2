import { readdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * The production build must not contain the sandbox: it runs beside the app in development, never inside it.
 *
 * The source of truth is the build's own record of what went in, named by source path:
 * - the source maps of every server output (Turbopack emits them for server code): their `sources` are the modules
 *   compiled into each chunk — routes, pages, the SSR graph of every client component, proxy.ts, instrumentation.ts;
 * - the `.nft.json` traces: every file a server output reads at run time (SQL migrations, workers, …);
 * - the client reference manifests: the client component entries by `[project]/` path.
 * A server chunk without a source map cannot be verified, so it fails the check unless it is a manifest or a
 * chunk loader (`R.c(…)`/`R.m(…)` lines only). Browser chunks carry only numeric module ids and no source maps
 * (`productionBrowserSourceMaps` is off); every module they hold is also compiled for SSR, except code loaded with
 * `next/dynamic(…, { ssr: false })`, which the ESLint import restriction catches at the source.
 */

/** Packages only the sandbox's stand-ins are built on: app code importing one directly would bypass sandbox/. */
const sandboxPackages = ["oidc-provider", "express", "@electric-sql/pglite", "@electric-sql/pglite-socket", "@electric-sql/pglite-pgvector"];

export type Finding = { sourcePath: string; foundIn: string };
export type BundleReport = { findings: Finding[]; unverifiable: string[]; filesScanned: number };

export function isSandboxModule(projectPath: string): boolean {
  const normalized = projectPath.split(path.sep).join("/");
  if (normalized === "sandbox" || normalized.startsWith("sandbox/")) return true;
  return sandboxPackages.some((name) => normalized.includes(`node_modules/${name}/`));
}

async function* files(dir: string): AsyncGenerator<string> {
  if (!existsSync(dir)) return;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

/** Project-relative paths a source-map or trace entry names: the resolved path and any embedded `[project]/…`. */
function projectPaths(entry: string, baseDir: string, projectDir: string): string[] {
  let decoded = entry;
  try {
    decoded = decodeURIComponent(entry);
  } catch {
    // A source name with a stray "%" is a literal file name.
  }
  const embedded = [...decoded.matchAll(/\[project\]\/([^"'\s}]+)/g)].flatMap((match) => (match[1] ? [match[1]] : []));
  if (decoded.startsWith("turbopack:")) return embedded;
  const resolved = path.relative(projectDir, path.resolve(baseDir, decoded));
  return resolved.startsWith("..") ? embedded : [resolved, ...embedded];
}

type SourceMap = { sourceRoot?: string; sources?: string[]; sections?: { map: SourceMap }[] };

function mapSources(map: SourceMap): string[] {
  const own = (map.sources ?? []).map((source) => (map.sourceRoot ? `${map.sourceRoot.replace(/\/?$/, "/")}${source}` : source));
  return [...own, ...(map.sections ?? []).flatMap((section) => mapSources(section.map))];
}

const chunkLoaderLine = /^(var R=require\("[^"]+"\)\("[^"]+"\)|R\.[cm]\("[^"]+"\)|R\.m\(\d+\)|module\.exports=R\.m\(\d+\)\.exports)$/;

async function hasSourceMap(file: string, text: string): Promise<boolean> {
  if (existsSync(`${file}.map`)) return true;
  const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
  return url !== undefined && !url.startsWith("data:") && existsSync(path.join(path.dirname(file), decodeURIComponent(url)));
}

function carriesNoModules(file: string, text: string): boolean {
  if (/manifest\.js$/.test(file)) return true;
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines.length > 0 && lines.every((line) => chunkLoaderLine.test(line));
}

export async function checkBundle(buildDir: string, projectDir: string): Promise<BundleReport> {
  const findings: Finding[] = [];
  const unverifiable: string[] = [];
  let filesScanned = 0;
  const record = (entries: string[], baseDir: string, foundIn: string) => {
    for (const entry of entries) {
      for (const sourcePath of projectPaths(entry, baseDir, projectDir)) {
        if (isSandboxModule(sourcePath)) findings.push({ sourcePath, foundIn: path.relative(projectDir, foundIn) });
      }
    }
  };

  for await (const file of files(buildDir)) {
    const relative = path.relative(buildDir, file);
    if (relative.startsWith(`cache${path.sep}`)) continue;
    if (file.endsWith(".js.map")) {
      filesScanned++;
      record(mapSources(JSON.parse(await readFile(file, "utf8")) as SourceMap), path.dirname(file), file);
    } else if (file.endsWith(".nft.json")) {
      filesScanned++;
      const trace = JSON.parse(await readFile(file, "utf8")) as { files: string[] };
      record(trace.files, path.dirname(file), file);
    } else if (file.endsWith(".js") && relative.startsWith(`server${path.sep}`)) {
      filesScanned++;
      const text = await readFile(file, "utf8");
      if (/manifest\.js$/.test(file)) record([text], path.dirname(file), file);
      else if (!(await hasSourceMap(file, text)) && !carriesNoModules(file, text)) unverifiable.push(path.relative(projectDir, file));
    }
  }
  return { findings, unverifiable, filesScanned };
}

export function summarize(report: BundleReport): { ok: boolean; message: string } {
  if (report.filesScanned === 0) return { ok: false, message: "No build output found under .next/; run `next build` first." };
  const lines: string[] = [];
  const bySource = new Map<string, string[]>();
  for (const { sourcePath, foundIn } of report.findings) bySource.set(sourcePath, [...(bySource.get(sourcePath) ?? []), foundIn]);
  for (const [sourcePath, outputs] of [...bySource].sort(([a], [b]) => a.localeCompare(b))) {
    const shown = [...new Set(outputs)].sort();
    lines.push(`  ${sourcePath}  (in ${shown.slice(0, 3).join(", ")}${shown.length > 3 ? `, and ${shown.length - 3} more` : ""})`);
  }
  if (lines.length > 0) lines.unshift("Sandbox code found in the production build:");
  if (report.unverifiable.length > 0) {
    lines.push("Server output without a source map, so its modules cannot be verified:", ...report.unverifiable.map((file) => `  ${file}`));
  }
  if (lines.length > 0) return { ok: false, message: lines.join("\n") };
  return { ok: true, message: `Production build is free of sandbox code (${report.filesScanned} source maps, traces and server files checked).` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const projectDir = process.cwd();
  const { ok, message } = summarize(await checkBundle(path.join(projectDir, ".next"), projectDir));
  (ok ? console.log : console.error)(message);
  process.exit(ok ? 0 : 1);
}
