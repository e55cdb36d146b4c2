import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { runMigrations } from "./migrate";

/**
 * The sandbox Postgres (PGlite) shares one backend between connections, so a session-level advisory lock held by one
 * starter was granted to the other at once, and both applied the migrations; one transaction per starter keeps them
 * apart here too. db/pooler.test.ts runs the same race on a real PostgreSQL behind PgBouncer.
 */
describe("migrations", () => {
  let pg: SandboxPostgres;
  beforeAll(async () => {
    pg = await startSandboxPostgres({ port: 0 });
  });
  afterAll(async () => {
    await pg?.close();
  });

  it("records each migration once when two instances start together, and again applies nothing", async () => {
    await Promise.all([runMigrations(pg.url), runMigrations(pg.url)]);
    await runMigrations(pg.url);
    const sql = postgres(pg.url, { max: 1 });
    try {
      const rows = await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations order by created_at`;
      expect(rows.map((r) => r.hash)).toEqual(readMigrationFiles({ migrationsFolder: "db/migrations" }).map((m) => m.hash));
      const [lock] = await sql<{ held: number }[]>`select count(*)::int as held from pg_locks where locktype = 'advisory'`;
      expect(lock?.held).toBe(0);
    } finally {
      await sql.end();
    }
  });

  it("dates each migration after the one before: a database migrated up to one applies only those dated later", () => {
    const dates = readMigrationFiles({ migrationsFolder: "db/migrations" }).map((m) => m.folderMillis);
    expect(dates.every((date, i) => i === 0 || date > dates[i - 1]!)).toBe(true);
  });

  it("carries on from a database that drizzle's own migrator brought up to date", async () => {
    const earlier = await startSandboxPostgres({ port: 0 });
    const sql = postgres(earlier.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(sql), { migrationsFolder: "db/migrations" });
      await runMigrations(earlier.url);
      const [recorded] = await sql<{ count: number }[]>`select count(*)::int as count from drizzle.__drizzle_migrations`;
      expect(recorded?.count).toBe(readMigrationFiles({ migrationsFolder: "db/migrations" }).length);
    } finally {
      await sql.end();
      await earlier.close();
    }
  });
});
