import { Agent, request } from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { ConsistencyPreference, OpenFgaClient } from "@openfga/sdk";
import postgres from "postgres";
import { ensureModel, ensureStore } from "../lib/fga/setup";
import { startFgaServer } from "../sandbox/fga/server";
import { startSandboxPostgres } from "../sandbox/postgres/server";
import { median, percentile } from "./util";

/**
 * `npm run bench:fga`: the sandbox FGA service's latency at 10,000 and 1,000,000 tuples, through @openfga/sdk over
 * HTTP with HIGHER_CONSISTENCY, as the app asks it. Each store holds documents with one owner each: the first 10,000
 * belong to one heavy user (the streamed list-objects returns all of them), the rest are spread over 1,000 users.
 * Figures are printed beside two baselines measured in the same run — a bare HTTP round trip to the same server and
 * a plain SQL select of one tuple on the same database — so that runs on different machines compare by ratio.
 */
const SIZES = (process.env.BENCH_FGA_SIZES ?? "10000,1000000").split(",").map(Number);
const HEAVY_DOCUMENTS = 10_000;
// As lib/fga/client.ts asks every question: bypassing caches.
const FRESH = { consistency: ConsistencyPreference.HigherConsistency };
const SPREAD_USERS = 1_000;

// Deterministic randomness, so runs compare.
let seed = 7;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const pick = (n: number) => 1 + Math.floor(random() * n);

const pg = await startSandboxPostgres({ port: 0 });
const fgaServer = await startFgaServer({ port: 0, databaseUrl: pg.url, log: () => {} });
const sql = postgres(pg.url, { max: 1, prepare: false, onnotice: () => {} });

/** Owner of document `dN` in a store of `size` tuples. */
const ownerOf = (n: number) => (n <= HEAVY_DOCUMENTS ? "user:heavy" : `user:u${n % SPREAD_USERS}`);

interface Figure {
  label: string;
  /** Samples to take; spread evenly over the run. */
  n: number;
  run: () => Promise<unknown>;
  samples: number[];
}

const ROUNDS = 300;

/**
 * Takes every figure's samples interleaved, round by round (a figure with n samples runs every ROUNDS / n rounds),
 * so that a figure and its baselines are measured under the same load: on a shared machine it comes and goes.
 */
async function measure(figures: Omit<Figure, "samples">[]): Promise<Figure[]> {
  const measured = figures.map((figure) => ({ ...figure, samples: [] as number[] }));
  for (const figure of measured) for (let i = 0; i < Math.max(3, figure.n / 10); i++) await figure.run(); // warm-up: JIT, plans, connections
  for (let round = 0; round < ROUNDS; round++) {
    for (const figure of measured) {
      if (round % (ROUNDS / figure.n) !== 0) continue;
      const started = performance.now();
      await figure.run();
      figure.samples.push(performance.now() - started);
    }
  }
  return measured;
}

function httpRoundTrip(url: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/healthz`, { agent }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end();
  });
}

const ms = (x: number) => `${x.toFixed(2).padStart(7)} ms`;
const ratio = (x: number, base: number) => `${(x / base).toFixed(1).padStart(5)}×`;

for (const size of SIZES) {
  const { storeId } = await ensureStore(fgaServer.url, `bench-fga-${size}`);
  const fga = new OpenFgaClient({ apiUrl: fgaServer.url, storeId });
  await ensureModel(fga);
  let started = performance.now();
  await sql`
    insert into fga_tuples (store_id, object_type, object_id, relation, user_key, user_is_userset)
    select ${storeId}, 'doc', 'd' || g,
      'owner', case when g <= ${HEAVY_DOCUMENTS} then 'user:heavy' else 'user:u' || (g % ${SPREAD_USERS}) end, false
    from generate_series(1, ${size}) g
    on conflict do nothing`;
  const loaded = (performance.now() - started) / 1000;
  const heavyCount = Math.min(size, HEAVY_DOCUMENTS);

  // Kept alive like the SDK's, and new for each store: one idle through the next store's loading is closed by the server.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  started = performance.now();
  const figures = await measure([
    { label: "baseline: HTTP GET /healthz", n: 300, run: () => httpRoundTrip(fgaServer.url, agent) },
    {
      label: "baseline: SQL select of one tuple",
      n: 300,
      run: () => {
        const n = pick(size);
        return sql`select 1 from fga_tuples where store_id = ${storeId} and object_type = 'doc' and object_id = ${`d${n}`} and relation = 'owner' and user_key = ${ownerOf(n)}`;
      },
    },
    {
      label: "check, allowed",
      n: 300,
      run: async () => {
        const n = pick(size);
        const { allowed } = await fga.check({ user: ownerOf(n), relation: "can_view", object: `doc:d${n}` }, FRESH);
        if (!allowed) throw new Error(`check denied the owner of doc:d${n}`);
      },
    },
    { label: "check, denied", n: 300, run: () => fga.check({ user: "user:nobody", relation: "can_view", object: `doc:d${pick(size)}` }, FRESH) },
    {
      label: "batch-check, 50 documents",
      n: 100,
      run: () => {
        const user = ownerOf(pick(size));
        return fga.batchCheck({ checks: Array.from({ length: 50 }, (_, i) => ({ user, relation: "can_view", object: `doc:d${pick(size)}`, correlationId: String(i) })) }, FRESH);
      },
    },
    {
      label: `list-objects, ${Math.min(heavyCount, 1000)} results (capped)`,
      n: 30,
      run: async () => {
        const { objects } = await fga.listObjects({ user: "user:heavy", relation: "can_view", type: "doc" }, FRESH);
        if (objects.length !== Math.min(heavyCount, 1000)) throw new Error(`list-objects returned ${objects.length} objects`);
      },
    },
    {
      label: `streamed list-objects, ${heavyCount} results`,
      n: 10,
      run: async () => {
        let count = 0;
        for await (const _ of fga.streamedListObjects({ user: "user:heavy", relation: "can_view", type: "doc" }, FRESH)) count++;
        if (count !== heavyCount) throw new Error(`streamed list-objects returned ${count} objects`);
      },
    },
  ]);
  const measured = (performance.now() - started) / 1000;
  agent.destroy();

  const [http, select] = figures.map((f) => median(f.samples)) as [number, number];
  const load = loadavg()[0]!.toFixed(1);
  console.log(`\nFGA at ${size.toLocaleString("en-US")} tuples (loaded in ${loaded.toFixed(1)} s, measured in ${measured.toFixed(1)} s; load average ${load} on ${availableParallelism()} cores)`);
  console.log(`  ${"".padEnd(42)}     p50          p95     p50 / HTTP   p50 / SQL`);
  for (const { label, samples } of figures) {
    const p50 = median(samples);
    console.log(`  ${`${label} (n=${samples.length})`.padEnd(42)} ${ms(p50)}   ${ms(percentile(samples, 95))}   ${ratio(p50, http)}      ${ratio(p50, select)}`);
  }
}

await sql.end();
await fgaServer.close();
await pg.close();
process.exit(0);
