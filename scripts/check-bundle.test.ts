import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkBundle, isSandboxModule, summarize } from "./check-bundle";

// tests/fixtures/bundle holds output of a real `next build` (Turbopack, Next 16.4), trimmed: build/ is the app as it
// is (loaders, client reference manifest and .nft.json trace verbatim; source maps with their real `sources` but no
// mappings or sourcesContent; chunk bodies emptied), planted-chunk/ is verbatim the chunk and source map Turbopack
// emitted for a sandbox module that instrumentation.ts imported in a throwaway build.
const fixtures = path.resolve(import.meta.dirname, "../tests/fixtures/bundle");
const plantedChunk = "sandbox_planted-instrumentation_ts_0sbp_1ie9hg0v._.js";

let project: string;
let build: string;

beforeEach(async () => {
  project = await mkdtemp(path.join(tmpdir(), "check-bundle-"));
  build = path.join(project, ".next");
  await cp(path.join(fixtures, "build"), build, { recursive: true });
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

async function plant(relative: string, content: string) {
  await mkdir(path.dirname(path.join(build, relative)), { recursive: true });
  await writeFile(path.join(build, relative), content);
}

async function verdict() {
  return summarize(await checkBundle(build, project));
}

describe("the bundle check", () => {
  it("passes on the app's real build output", async () => {
    const report = await checkBundle(build, project);
    expect(report.findings).toEqual([]);
    expect(report.unverifiable).toEqual([]);
    expect(summarize(report).ok).toBe(true);
  });

  it("fails on the chunk of a sandbox module imported from instrumentation.ts, naming the module and the chunk", async () => {
    await cp(path.join(fixtures, "planted-chunk"), path.join(build, "server/chunks"), { recursive: true });
    const { ok, message } = await verdict();
    expect(ok).toBe(false);
    expect(message).toContain(`sandbox/planted-instrumentation.ts  (in .next/server/chunks/${plantedChunk}.map)`);
  });

  it("finds a sandbox module inside a sectioned source map, with a URL-encoded path, among app modules", async () => {
    const planted = JSON.parse(await readFile(path.join(fixtures, "planted-chunk", `${plantedChunk}.map`), "utf8"));
    const sectioned = {
      version: 3,
      sections: [
        { offset: { line: 0, column: 0 }, map: { version: 3, sources: ["../../../../lib/log.ts"], names: [], mappings: "" } },
        { offset: { line: 9, column: 0 }, map: { ...planted, sources: ["../../../../sandbox/identity/ciba%20params.ts"] } },
      ],
    };
    await plant("server/chunks/ssr/_0mixed._.js.map", JSON.stringify(sectioned));
    const report = await checkBundle(build, project);
    expect(report.findings).toEqual([{ sourcePath: "sandbox/identity/ciba params.ts", foundIn: ".next/server/chunks/ssr/_0mixed._.js.map" }]);
  });

  it("finds a sandbox file that a server output reads at run time (its .nft.json trace)", async () => {
    const tracePath = path.join(build, "server/instrumentation.js.nft.json");
    const trace = JSON.parse(await readFile(tracePath, "utf8"));
    trace.files.push("../../sandbox/seed-documents.ts");
    await writeFile(tracePath, JSON.stringify(trace));
    const { ok, message } = await verdict();
    expect(ok).toBe(false);
    expect(message).toContain("sandbox/seed-documents.ts  (in .next/server/instrumentation.js.nft.json)");
  });

  it("finds a sandbox client component named by a client reference manifest", async () => {
    const manifestPath = path.join(build, "server/app/(chat)/page_client-reference-manifest.js");
    const manifest = await readFile(manifestPath, "utf8");
    await writeFile(manifestPath, manifest.replace('"clientModules":{', '"clientModules":{"[project]/sandbox/shop/dashboard.tsx <module evaluation>":{"id":1,"name":"*","chunks":[]},'));
    const { message } = await verdict();
    expect(message).toContain("sandbox/shop/dashboard.tsx  (in .next/server/app/(chat)/page_client-reference-manifest.js)");
  });

  it("finds a sandbox module referenced as [project]/… from a Turbopack virtual source", async () => {
    const source = `turbopack:///[project]/sandbox/model/server.ts [app-rsc] (ecmascript)`;
    await plant("server/chunks/_0virtual._.js.map", JSON.stringify({ version: 3, sources: [source], names: [], mappings: "" }));
    const { message } = await verdict();
    expect(message).toContain("sandbox/model/server.ts");
  });

  it("fails on a server chunk that carries modules but has no source map, since it cannot be verified", async () => {
    await cp(path.join(fixtures, "planted-chunk", plantedChunk), path.join(build, "server/chunks/_0unmapped._.js"));
    const { ok, message } = await verdict();
    expect(ok).toBe(false);
    expect(message).toContain("without a source map");
    expect(message).toContain(".next/server/chunks/_0unmapped._.js");
  });

  it("accepts a chunk loader without a source map (it only loads chunks that are checked themselves)", async () => {
    await rm(path.join(build, "server/app/(chat)/page.js.map"));
    expect((await verdict()).ok).toBe(true);
  });

  it("fails when there is no build output to check", async () => {
    await rm(build, { recursive: true });
    const { ok, message } = await verdict();
    expect(ok).toBe(false);
    expect(message).toContain("run `next build` first");
  });
});

describe("isSandboxModule", () => {
  it.each([
    ["sandbox/main.ts", true],
    ["sandbox/identity/server.ts", true],
    ["node_modules/oidc-provider/lib/index.js", true],
    ["node_modules/@electric-sql/pglite/dist/index.js", true],
    ["node_modules/express/index.js", true],
    ["lib/sandbox-notes.ts", false],
    ["components/sandbox-badge.tsx", false],
    ["node_modules/expressive/index.js", false],
    ["node_modules/some-lib/sandbox/index.js", false],
  ])("%s → %s", (projectPath, expected) => {
    expect(isSandboxModule(projectPath)).toBe(expected);
  });
});

describe("the source-level import restriction (eslint.config.mjs)", () => {
  const source = [
    'import { sandboxPorts } from "@/sandbox/ports";',
    'import { startSandbox } from "../../sandbox/start";',
    'import type { SignedInUser } from "@/sandbox/test-harness";',
    'import { SandboxBadge } from "@/components/sandbox-badge";',
    "export const loaded = [sandboxPorts, startSandbox, SandboxBadge] as const;",
    "export type User = SignedInUser;",
    'export const later = () => import("@/sandbox/model/server");',
    "",
  ].join("\n");

  async function restrictedLines(filePath: string) {
    // no-cycle reads the import graph from disk, where the planted file is not; cycles are another test's subject.
    const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, ".."), overrideConfig: { rules: { "import/no-cycle": "off" } } });
    const [result] = await eslint.lintText(source, { filePath });
    return result!.messages
      .filter((message) => message.message.includes("App code must not import the sandbox"))
      .map((message) => message.line);
  }

  it.each(["lib/auth/planted.ts", "app/(chat)/api/planted/route.ts", "components/planted.tsx", "db/planted.ts", "proxy.ts", "instrumentation.ts"])(
    "refuses sandbox imports, static or dynamic, in %s (type-only imports are erased, so allowed)",
    async (filePath) => {
      expect(await restrictedLines(filePath)).toEqual([1, 2, 7]);
    },
  );

  it.each(["lib/auth/planted.test.ts", "scripts/planted.ts", "e2e/planted.ts", "bench/planted.ts"])("lets %s import the sandbox", async (filePath) => {
    expect(await restrictedLines(filePath)).toEqual([]);
  });
});
