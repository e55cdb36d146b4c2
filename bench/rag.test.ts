import { describe, expect, it } from "vitest";
import { runNpmScript } from "@/tests/npm-script";

// `npm run bench:rag` on a tiny corpus, so the benchmark keeps working: on the sandbox's PGlite, and on a real
// PostgreSQL with pgvector when one is given. Figures are printed, never asserted; only exactness is.
const servers: [string, string | undefined][] = [["PGlite", undefined], ["a real PostgreSQL", process.env.TEST_DIRECT_DATABASE_URL]];

describe("npm run bench:rag", () => {
  for (const [name, databaseUrl] of servers) {
    it.skipIf(name !== "PGlite" && !databaseUrl)(`runs on ${name}, and the exact path is exact`, async () => {
      const run = await runNpmScript("bench:rag", [], { BENCH_SCALE: "0.005", BENCH_QUERIES: "12", ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }, 180_000);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Loaded [\d,]+ tuples .* 100 documents and 500 chunks/);
      expect(run.stdout).toMatch(/Delegate, exact ranking path\s+\d+\s+1\.000 /);
      expect(run.stdout).toMatch(/unfiltered HNSW top-k \(baseline\)\s+12 /);
    }, 200_000);
  }
});
