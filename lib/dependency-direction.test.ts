import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The project's own ESLint configuration (eslint.config.mjs) enforces the dependency direction of README's
// Architecture section. These cases plant imports in files that exist nowhere on disk (or extend one that does) and
// check which rule, if any, refuses them, so a rule that stopped resolving "@/" imports or lost a zone fails here.
// no-cycle's shortcut (strongly connected components) reads the graph from disk, where the planted imports are not:
// the project's own no-cycle settings are used without it.
const { rules } = await new ESLint().calculateConfigForFile("lib/ai/agent.ts");
const [severity, options] = rules["import/no-cycle"] ?? ["off", {}];
const eslint = new ESLint({ overrideConfig: { rules: { "import/no-cycle": [severity, { ...options, disableScc: true }] } } });

async function refusals(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe("dependency direction", { timeout: 120_000 }, () => {
  it("refuses a lower layer importing a higher one, by alias or relative path, types included", async () => {
    expect(await refusals("db/queries/planted.ts", `import type { ChatMessage } from "@/lib/ai/types";\nexport type Stored = ChatMessage;\n`)).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: Unexpected path ".*" imported in restricted zone\. db must not import lib\/ai: imports flow app, lib\/doctor, cli → components → lib\/mcp → lib\/chat → lib\/ai → /),
    ]);
    expect(await refusals("lib/ai/planted.ts", `import { approvalsExpireAt } from "../chat/approvals";\nexport const expiry = approvalsExpireAt;\n`)).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: Unexpected path ".*" imported in restricted zone\. lib\/ai must not import lib\/chat:/),
    ]);
    expect(await refusals("lib/auth/planted.ts", `export { createTools } from "@/lib/ai/tools";\n`)).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: Unexpected path ".*" imported in restricted zone\. lib\/auth must not import lib\/ai:/),
    ]);
    expect(await refusals("lib/time.ts", `export const later = () => import("@/lib/rate-limit");\n`)).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: Unexpected path ".*" imported in restricted zone\. lib\/config.ts, lib\/errors.ts, lib\/log.ts, lib\/time.ts, lib\/http must not import lib\/rate-limit.ts:/),
    ]);
  });

  it("refuses modules of one tier importing each other", async () => {
    expect(await refusals("lib/fga/planted.ts", `import { ProviderError } from "@/lib/integrations/provider-error";\nexport const Failure = ProviderError;\n`)).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: Unexpected path ".*" imported in restricted zone\. lib\/fga must not import lib\/integrations:/),
    ]);
    // The terminal client talks to the app over HTTP, like any other client: it cannot reach into the routes.
    expect(await refusals("cli/planted.ts", `export { POST } from "@/app/(chat)/api/chat/route";\n`)).toEqual([
      expect.stringMatching(/^import\/no-restricted-paths: Unexpected path ".*" imported in restricted zone\. cli must not import app:/),
    ]);
  });

  it("refuses a cycle inside one layer", async () => {
    // lib/ai/agent.ts imports lib/ai/instructions.ts; instructions importing the agent back closes the loop.
    const instructions = readFileSync("lib/ai/instructions.ts", "utf8");
    expect(await refusals("lib/ai/instructions.ts", `${instructions}\nimport { runAgent } from "./agent";\nexport const planted = runAgent;\n`)).toEqual([
      expect.stringMatching(/^import\/no-cycle: /),
    ]);
  });

  it("accepts imports that flow down, skip layers, or reach the shared leaves, and tests importing upward", async () => {
    const downward = [
      `import { runAgent } from "@/lib/ai/agent";`,
      `import { listChats } from "@/db/queries/chats";`,
      `import { getConfig } from "@/lib/config";`,
      `export const used = [runAgent, listChats, getConfig];`,
    ].join("\n");
    expect(await refusals("lib/chat/planted.ts", `${downward}\n`)).toEqual([]);
    expect(await refusals("lib/auth/planted.test.ts", `import { runAgent } from "@/lib/ai/agent";\nexport const used = runAgent;\n`)).toEqual([]);
  });

  it("places every source file in a layer, so a new module cannot escape the rule", () => {
    const zones: { target: string | string[] }[] = rules["import/no-restricted-paths"]?.[1]?.zones ?? [];
    const layered = zones.flatMap((zone) => zone.target);
    const within = (file: string, target: string) => !path.relative(target, file).startsWith("..");
    const sources = ["app", "components", "lib", "db", "cli"]
      .flatMap((folder) => readdirSync(folder, { recursive: true, encoding: "utf8" }).map((file) => path.join(folder, file)))
      .concat("proxy.ts", "instrumentation.ts")
      .filter((file) => /\.(ts|tsx|mjs)$/.test(file) && !/\.test(-env)?\.tsx?$/.test(file));
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter((file) => !layered.some((target) => within(file, target)))).toEqual([]);
  });
});
