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
