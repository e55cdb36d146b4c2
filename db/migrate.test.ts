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

  it("gives the chunks already in the index their signs as migration 0019 moves them to a table of their own, and ranks by them", async () => {
    const earlier = await startSandboxPostgres({ port: 0 });
    const sql = postgres(earlier.url, { max: 1, onnotice: () => {} });
    try {
      // Migrated up to 0018 as runMigrations would have, then chunks stored as that version stored them.
      const migrations = readMigrationFiles({ migrationsFolder: "db/migrations" });
      const before = migrations.slice(0, migrations.findIndex((m) => m.sql.some((statement) => statement.includes('CREATE TABLE "chunk_signs"'))));
      await sql.begin(async (tx) => {
        await tx`create schema drizzle`;
        await tx`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
        for (const migration of before) {
          for (const statement of migration.sql) await tx.unsafe(statement);
          await tx`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`;
        }
      });
      const document = crypto.randomUUID();
      await sql`insert into documents (id, owner_id, name, mime_type, size_bytes, content) values (${document}, 'auth0|old', 'old.md', 'text/markdown', 1, ${Buffer.from("x")})`;
      const vector = (first: number) => `[${Array.from({ length: 1536 }, (_, i) => (i === 0 ? first : 0.01)).join(",")}]`;
      await sql`insert into document_chunks (document_id, ordinal, content, embedding, indexed) values
        (${document}, 0, 'indexed, pointing one way', ${vector(1)}::vector, true), (${document}, 1, 'indexed, the other', ${vector(-1)}::vector, true),
        (${document}, 2, 'not yet indexed', ${vector(1)}::vector, false)`;

      await runMigrations(earlier.url);

      const signed = await sql<{ content: string; same: boolean }[]>`
        select c.content, s.signs = binary_quantize(c.embedding) and s.document_id = c.document_id as same
        from chunk_signs s join document_chunks c on c.id = s.chunk_id order by c.ordinal`;
      expect(signed).toEqual([
        { content: "indexed, pointing one way", same: true },
        { content: "indexed, the other", same: true },
      ]);
      const [listing] = await sql<{ id: string }[]>`insert into viewable_listings (user_id, revision, listed_at, document_count) values ('auth0|old', 0, now(), 1) returning id`;
      await sql`insert into viewable_listing_documents (listing_id, document_id) values (${listing!.id}, ${document})`;
      const nearest = await sql.unsafe<{ content: string }[]>(`select content from nearest_listed_chunks(${listing!.id}, '${vector(-1)}'::vector, 2, 16, null, 2000)`);
      expect(nearest.map((row) => row.content)).toEqual(["indexed, the other", expect.stringMatching(/pointing one way|not yet indexed/)]);
      // As an instance of the version before migration 0020 calls it, during a deployment: the same answer.
      const before0020 = await sql.unsafe<{ content: string }[]>(`select content from nearest_listed_chunks(${listing!.id}, '${vector(-1)}'::vector, 2, 16, null)`);
      expect(before0020).toEqual(nearest);
    } finally {
      await sql.end();
      await earlier.close();
    }
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
