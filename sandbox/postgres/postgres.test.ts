import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "@/db/migrate";
import { startSandboxPostgres, type SandboxPostgres } from "./server";

describe("sandbox Postgres over the wire", () => {
  let dir: string;
  let pg: SandboxPostgres;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "delegate-pg-"));
    pg = await startSandboxPostgres({ port: 0, dataDir: dir });
  });
  afterAll(async () => {
    await pg?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("applies the committed migrations and serves a pooled postgres.js client", async () => {
    await runMigrations(pg.url);
    await runMigrations(pg.url); // idempotent: a second start-up applies nothing
    const sql = postgres(pg.url, { max: 5 });
    try {
      const tables = await sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`;
      expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(["chats", "messages"]));
      const ids = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          sql`insert into chats (id, user_id, title) values (gen_random_uuid(), ${`user-${i}`}, 't') returning id`,
        ),
      );
      expect(ids).toHaveLength(20);
      const [{ count }] = (await sql`select count(*)::int as count from chats`) as unknown as [{ count: number }];
      expect(count).toBe(20);
    } finally {
      await sql.end();
    }
  });

  it("has pgvector with cosine distance", async () => {
    const sql = postgres(pg.url, { max: 1 });
    try {
      const [row] = await sql`select '[1,0,0]'::vector <=> '[0,1,0]'::vector as distance`;
      expect(Number(row?.distance)).toBeCloseTo(1);
    } finally {
      await sql.end();
    }
  });

  it("keeps data across a restart", async () => {
    await pg.close();
    pg = await startSandboxPostgres({ port: 0, dataDir: dir });
    const sql = postgres(pg.url, { max: 1 });
    try {
      const [{ count }] = (await sql`select count(*)::int as count from chats`) as unknown as [{ count: number }];
      expect(count).toBe(20);
    } finally {
      await sql.end();
    }
  });
});

describe("sandbox Postgres under concurrent extended-protocol queries", () => {
  it("runs a batch whose Parse fails as a server would: the error reaches the query, the connection stays usable", async () => {
    const pg = await startSandboxPostgres({ port: 0 });
    const sql = postgres(pg.url, { max: 1 });
    try {
      await expect(sql`select ${"Zoë (café)"}::text as name from no_such_table`).rejects.toThrow(/no_such_table/);
      await expect(sql`select ${"Zoë (café)"}::int`).rejects.toThrow(/invalid input syntax/);
      const [row] = await sql`select ${"Zoë (café)"}::text as name, ${42}::int as n`;
      expect(row).toEqual({ name: "Zoë (café)", n: 42 });
    } finally {
      await sql.end();
      await pg.close();
    }
  });

  it("plans every execution of a prepared statement for its parameters, on every connection", async () => {
    // PGlite never analyzes, so a generic plan cached while a table was small would outlive its growth.
    const pg = await startSandboxPostgres({ port: 0 });
    const first = postgres(pg.url, { max: 1 });
    const later = postgres(pg.url, { max: 1 });
    try {
      await first`create table notes (id int primary key, body text)`;
      expect(await first`show plan_cache_mode`).toEqual([{ plan_cache_mode: "force_custom_plan" }]);
      expect(await later`show plan_cache_mode`).toEqual([{ plan_cache_mode: "force_custom_plan" }]);
    } finally {
      await Promise.all([first.end(), later.end()]);
      await pg.close();
    }
  });

  it("keeps each connection's Parse/Bind/Execute batch together", async () => {
    const pg = await startSandboxPostgres({ port: 0 });
    const sql = postgres(pg.url, { max: 8 });
    try {
      await sql`create table t (id int primary key, a text, b text, c text, d text)`;
      // Statements of different shapes from eight connections at once: interleaved batches would bind one
      // statement's parameters to another's unnamed statement.
      const work = Array.from({ length: 80 }, (_, i) =>
        i % 2
          ? sql`insert into t (id, a, b, c, d) values (${i}, ${"a"}, ${"b"}, ${"c"}, ${"d"})`
          : sql`select ${i}::int as n where ${"x"} = ${"x"}`,
      );
      await Promise.all(work);
      const [{ count }] = (await sql`select count(*)::int as count from t`) as unknown as [{ count: number }];
      expect(count).toBe(40);
      // A transaction keeps the backend until it ends; others queue behind it and then run.
      const [, after] = await Promise.all([
        sql.begin(async (tx) => {
          await tx`insert into t (id) values (1000)`;
          await tx`update t set a = ${"in-tx"} where id = 1000`;
        }),
        sql`select a from t where id = 1000`,
      ]);
      expect(after.length === 0 || after[0]?.a === "in-tx").toBe(true);
    } finally {
      await sql.end();
      await pg.close();
    }
  });
});
