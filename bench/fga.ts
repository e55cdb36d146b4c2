import { Agent, request } from "node:http";
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
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** Owner of document `dN` in a store of `size` tuples. */
const ownerOf = (n: number) => (n <= HEAVY_DOCUMENTS ? "user:heavy" : `user:u${n % SPREAD_USERS}`);

interface Figure {
  label: string;
  samples: number[];
}

async function sample(label: string, n: number, run: () => Promise<unknown>): Promise<Figure> {
  for (let i = 0; i < Math.max(5, n / 10); i++) await run(); // warm-up: JIT, plans, connections
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return { label, samples };
}

function httpRoundTrip(url: string): Promise<void> {
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

  started = performance.now();
  const figures: Figure[] = [
    await sample("baseline: HTTP GET /healthz", 300, () => httpRoundTrip(fgaServer.url)),
    await sample("baseline: SQL select of one tuple", 300, () => {
      const n = pick(size);
      return sql`select 1 from fga_tuples where store_id = ${storeId} and object_type = 'doc' and object_id = ${`d${n}`} and relation = 'owner' and user_key = ${ownerOf(n)}`;
    }),
    await sample("check, allowed", 300, async () => {
      const n = pick(size);
      const { allowed } = await fga.check({ user: ownerOf(n), relation: "can_view", object: `doc:d${n}` }, FRESH);
      if (!allowed) throw new Error(`check denied the owner of doc:d${n}`);
    }),
    await sample("check, denied", 300, () => fga.check({ user: "user:nobody", relation: "can_view", object: `doc:d${pick(size)}` }, FRESH)),
    await sample("batch-check, 50 documents", 100, () => {
      const user = ownerOf(pick(size));
      return fga.batchCheck({ checks: Array.from({ length: 50 }, (_, i) => ({ user, relation: "can_view", object: `doc:d${pick(size)}`, correlationId: String(i) })) }, FRESH);
    }),
    await sample(`list-objects, ${Math.min(heavyCount, 1000)} results (capped)`, 30, async () => {
      const { objects } = await fga.listObjects({ user: "user:heavy", relation: "can_view", type: "doc" }, FRESH);
      if (objects.length !== Math.min(heavyCount, 1000)) throw new Error(`list-objects returned ${objects.length} objects`);
    }),
    await sample(`streamed list-objects, ${heavyCount} results`, 10, async () => {
      let count = 0;
      for await (const _ of fga.streamedListObjects({ user: "user:heavy", relation: "can_view", type: "doc" }, FRESH)) count++;
      if (count !== heavyCount) throw new Error(`streamed list-objects returned ${count} objects`);
    }),
  ];
  const measured = (performance.now() - started) / 1000;

  const [http, select] = figures.map((f) => median(f.samples)) as [number, number];
  console.log(`\nFGA at ${size.toLocaleString("en-US")} tuples (loaded in ${loaded.toFixed(1)} s, measured in ${measured.toFixed(1)} s)`);
  console.log(`  ${"".padEnd(42)}     p50          p95     p50 / HTTP   p50 / SQL`);
  for (const { label, samples } of figures) {
    const p50 = median(samples);
    console.log(`  ${`${label} (n=${samples.length})`.padEnd(42)} ${ms(p50)}   ${ms(percentile(samples, 95))}   ${ratio(p50, http)}      ${ratio(p50, select)}`);
  }
}

agent.destroy();
await sql.end();
await fgaServer.close();
await pg.close();
process.exit(0);
