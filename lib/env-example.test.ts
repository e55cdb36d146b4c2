import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES, parseConfig } from "./config";
import { COMPLETE_CONFIG_ENV as COMPLETE } from "./config.test-env";

const root = path.resolve(import.meta.dirname, "..");
/** `NAME=` lines of .env.example, commented out or not. */
const listed = new Set([...readFileSync(path.join(root, ".env.example"), "utf8").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));


/** Set by Node, Next or CI, not by a deployer. */
const RUNTIME_VARIABLES = new Set(["NODE_ENV", "NEXT_RUNTIME", "CI"]);
const SOURCES = ["app", "components", "lib", "db", "scripts", "sandbox", "instrumentation.ts", "proxy.ts", "next.config.ts"];

function sourceFiles(entry: string): string[] {
  const full = path.join(root, entry);
  if (/\.tsx?$/.test(entry)) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile() && /\.tsx?$/.test(file.name) && !/\.test\.tsx?$/.test(file.name))
    .map((file) => path.join(file.parentPath, file.name));
}

/** Every `env.NAME` / `env["NAME"]` the app, the scripts and the sandbox read (process.env or an env object passed on). */
function variablesReadBySource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of SOURCES.flatMap(sourceFiles)) {
    for (const match of readFileSync(file, "utf8").matchAll(/\benv(?:\.|\[["'])([A-Z][A-Z0-9_]*)/g)) {
      if (!RUNTIME_VARIABLES.has(match[1]!)) found.set(match[1]!, path.relative(root, file));
    }
  }
  return found;
}

describe(".env.example", () => {
  it("lists every setting lib/config.ts reads", () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(25);
    expect(CONFIG_VARIABLES.filter((name) => !listed.has(name))).toEqual([]);
  });

  it("lists every variable the app, the scripts and the sandbox read from the environment", () => {
    const read = variablesReadBySource();
    expect(read.get("DATABASE_URL")).toBeDefined(); // the scan itself works
    const missing = [...read].filter(([name]) => !listed.has(name)).map(([name, file]) => `${name} (read in ${file})`);
    expect(missing).toEqual([]);
  });

  it("marks exactly the settings without which the app does not start as [required]", () => {
    const text = readFileSync(path.join(root, ".env.example"), "utf8");
    // A "[required]" comment, maybe continued on further comment lines, then the variable it describes.
    const marked = [...text.matchAll(/^# \[required\][^\n]*\n(?:# (?![A-Z0-9_]+=)[^\n]*\n)*# ([A-Z0-9_]+)=/gm)].map((m) => m[1]);
    const required = CONFIG_VARIABLES.filter((name) => {
      try {
        parseConfig({ ...COMPLETE, [name]: undefined });
        return false;
      } catch {
        return true;
      }
    });
    expect(required).toContain("FGA_STORE_ID");
    expect(marked.sort()).toEqual(required.sort());
  });
});
