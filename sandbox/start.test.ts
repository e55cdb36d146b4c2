import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../lib/config";
import { startSandbox, type Sandbox } from "./start";

/**
 * `npm run dev` with some services real and the rest sandboxed. The real-database cases need a real PostgreSQL with
 * pgvector: `npm run test:pg` starts one (scripts/pooler-postgres.sh) and sets TEST_DIRECT_DATABASE_URL; CI does too.
 */
const directUrl = process.env.TEST_DIRECT_DATABASE_URL;
const anyFreePort = { identity: 0, fga: 0, model: 0, providers: 0, shop: 0, postgres: 0 };
const quiet = () => {};
/** Only what a child process needs to run: nothing from the developer's own environment leaks into the mix. */
const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME };

let dataDir: string;
let sandbox: Sandbox | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-start-"));
});
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(!directUrl)("a real, empty Postgres with every other service sandboxed", () => {
  let admin: postgres.Sql;
  const created: { name: string; db: postgres.Sql }[] = [];
  beforeAll(() => {
    admin = postgres(directUrl!, { max: 1, onnotice: quiet });
  });
  afterAll(async () => {
    for (const { name, db } of created) {
      await db.end();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
    }
    await admin?.end();
  });

  /** A database of the test's own, empty as a freshly provisioned one is. */
  async function freshDatabase() {
    const name = `delegate_start_${randomUUID().replaceAll("-", "")}`;
    await admin.unsafe(`create database ${name}`);
    const url = new URL(directUrl!);
    url.pathname = `/${name}`;
    const db = postgres(url.href, { max: 1, onnotice: quiet });
    created.push({ name, db });
    const counts = async () => {
      const [row] = await db<{ documents: number; chunks: number; tuples: number; stores: number }[]>`
        select (select count(*)::int from documents) as documents,
               (select count(*)::int from document_chunks) as chunks,
               (select count(*)::int from fga_tuples) as tuples,
               (select count(*)::int from fga_stores) as stores`;
      return row!;
    };
    return { databaseUrl: url.href, db, counts };
  }

  it("migrates the empty database, then seeds the samples once however often it starts", { timeout: 60_000 }, async () => {
    const { databaseUrl, db, counts } = await freshDatabase();
    sandbox = await startSandbox({ env: { ...baseEnv, DATABASE_URL: databaseUrl }, dataDir, ports: anyFreePort, log: quiet });
    expect(sandbox.services).not.toContain("database");
    expect(sandbox.services).toEqual(expect.arrayContaining(["identity", "model", "fga"]));
    expect(sandbox.env.DATABASE_URL).toBeUndefined();

    const first = await counts();
    const names = await db<{ owner: string; name: string }[]>`select owner_id as owner, name from documents order by name`;
    expect(names.map((row) => row.name)).toEqual([
      "Alice's private note.md",
      "Bob's private note.md",
      "Carol's private note.md",
      "Onboarding guide.md",
      "Q3 forecast.md",
      "Team handbook.md",
    ]);
    // An owner tuple per document, the three shares, finance's two members, and carol as administrator.
    expect(first).toMatchObject({ documents: 6, tuples: 6 + 3 + 2 + 1, stores: 1 });
    expect(first.chunks).toBeGreaterThanOrEqual(6);
    await sandbox.close();

    // A restart, as `npm run dev` after Ctrl-C: same database, same FGA store.
    sandbox = await startSandbox({ env: { ...baseEnv, DATABASE_URL: databaseUrl }, dataDir, ports: anyFreePort, log: quiet });
    expect(await counts()).toEqual(first);
    await sandbox.close();

    // A second checkout (its own data dir) against the same database finds the same store and the same samples.
    const otherDataDir = await mkdtemp(path.join(os.tmpdir(), "delegate-start-other-"));
    try {
      sandbox = await startSandbox({ env: { ...baseEnv, DATABASE_URL: databaseUrl }, dataDir: otherDataDir, ports: anyFreePort, log: quiet });
      expect(await counts()).toEqual(first);
    } finally {
      await sandbox?.close();
      sandbox = undefined;
      await rm(otherDataDir, { recursive: true, force: true });
    }
  });

  it("puts back a sample whose seeding was cut short, without touching the others", { timeout: 60_000 }, async () => {
    const { databaseUrl, db, counts } = await freshDatabase();
    sandbox = await startSandbox({ env: { ...baseEnv, DATABASE_URL: databaseUrl }, dataDir, ports: anyFreePort, log: quiet });
    await sandbox.close();
    const before = await counts();
    const [handbook] = await db<{ id: string }[]>`select id from documents where name = 'Team handbook.md'`;
    const [forecast] = await db<{ id: string }[]>`select id from documents where name = 'Q3 forecast.md'`;
    // As if the process died after the rows and before the owner tuple; and a sample deleted, rows and tuples, as the
    // app deletes a document.
    await db`delete from fga_tuples where object_id = ${handbook!.id} and relation = 'owner'`;
    await db`delete from fga_tuples where object_id = ${forecast!.id}`;
    await db`delete from documents where id = ${forecast!.id}`;

    sandbox = await startSandbox({ env: { ...baseEnv, DATABASE_URL: databaseUrl }, dataDir, ports: anyFreePort, log: quiet });
    expect(await counts()).toEqual(before);
    const [shared] = await db<{ count: number }[]>`
      select count(*)::int from fga_tuples t join documents d on t.object_id = d.id::text
      where d.name = 'Q3 forecast.md' and t.relation = 'viewer' and t.user_key like 'group:finance%'`;
    expect(shared!.count).toBe(1);
    const [owner] = await db<{ count: number }[]>`
      select count(*)::int from fga_tuples where object_id = ${handbook!.id} and relation = 'owner'`;
    expect(owner!.count).toBe(1);
  });
  it("creates one store and one set of samples when two sandboxes start on the database at once", { timeout: 60_000 }, async () => {
    const { databaseUrl, counts } = await freshDatabase();
    const dirs = await Promise.all([1, 2].map(() => mkdtemp(path.join(os.tmpdir(), "delegate-start-twin-"))));
    const started = await Promise.allSettled(
      dirs.map((dir) => startSandbox({ env: { ...baseEnv, DATABASE_URL: databaseUrl }, dataDir: dir, ports: anyFreePort, log: quiet })),
    );
    try {
      expect(started.map((result) => (result.status === "rejected" ? String(result.reason) : result.status))).toEqual(["fulfilled", "fulfilled"]);
      const [one, two] = started.map((result) => (result.status === "fulfilled" ? result.value : undefined));
      expect(one!.env.FGA_STORE_ID).toBe(two!.env.FGA_STORE_ID);
      expect(await counts()).toMatchObject({ documents: 6, tuples: 6 + 3 + 2 + 1, stores: 1 });
    } finally {
      await Promise.all(started.map((result) => (result.status === "fulfilled" ? result.value.close() : undefined)));
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    }
  });
});

describe("nothing configured: the sandbox's own Postgres (PGlite)", () => {
  it("seeds the samples once across restarts", { timeout: 60_000 }, async () => {
    const own = path.join(dataDir, "pglite");
    const documentsAndTuples = async (databaseUrl: string) => {
      const db = postgres(databaseUrl, { max: 1, onnotice: quiet });
      try {
        const [row] = await db<{ documents: number; tuples: number }[]>`
          select (select count(*)::int from documents) as documents, (select count(*)::int from fga_tuples) as tuples`;
        return row!;
      } finally {
        await db.end();
      }
    };
    sandbox = await startSandbox({ env: baseEnv, dataDir: own, ports: anyFreePort, log: quiet });
    expect(sandbox.services).toContain("database");
    const first = await documentsAndTuples(sandbox.env.DATABASE_URL!);
    expect(first).toEqual({ documents: 6, tuples: 6 + 3 + 2 + 1 });
    await sandbox.close();

    sandbox = await startSandbox({ env: baseEnv, dataDir: own, ports: anyFreePort, log: quiet });
    expect(await documentsAndTuples(sandbox.env.DATABASE_URL!)).toEqual(first);
  });
});

describe("a partly configured service is left to the app's validation", () => {
  it("starts no FGA stand-in when FGA_API_URL is set without FGA_STORE_ID, and the app names the missing variable", { timeout: 60_000 }, async () => {
    sandbox = await startSandbox({
      env: { ...baseEnv, FGA_API_URL: "https://api.us1.fga.dev" },
      dataDir: path.join(dataDir, "partly"),
      ports: anyFreePort,
      log: quiet,
    });
    expect(sandbox.services).not.toContain("fga");
    expect(sandbox.env.FGA_STORE_ID).toBeUndefined();
    // The sandboxed identity server comes with Delegate's MCP and chat APIs, their Custom API Clients and the CLI.
    expect(sandbox.env).toMatchObject({
      AUTH0_MCP_AUDIENCE: "http://localhost:3000/mcp",
      AUTH0_MCP_CLIENT_ID: "delegate-mcp-api",
      AUTH0_MCP_CLIENT_SECRET: expect.stringMatching(/^[0-9a-f]{64}$/),
      AUTH0_API_AUDIENCE: "http://localhost:3000/api",
      AUTH0_API_CLIENT_ID: "delegate-chat-api",
      AUTH0_API_CLIENT_SECRET: expect.stringMatching(/^[0-9a-f]{64}$/),
      AUTH0_CLI_CLIENT_ID: "delegate-cli",
    });
    expect(sandbox.env.AUTH0_MCP_CLIENT_SECRET).not.toBe(sandbox.env.AUTH0_API_CLIENT_SECRET);
    expect(() => parseConfig({ ...sandbox!.env, FGA_API_URL: "https://api.us1.fga.dev" })).toThrow(/FGA_STORE_ID/);
  });
});
