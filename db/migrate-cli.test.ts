import { readMigrationFiles } from "drizzle-orm/migrator";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { runNpmScript } from "@/tests/npm-script";

// `npm run db:migrate` as a developer runs it, against a fresh database: it creates the whole schema, and a second
// run changes nothing, data included.
const MIGRATIONS = readMigrationFiles({ migrationsFolder: "db/migrations" });
const TABLES = ["async_authorizations", "chats", "document_chunks", "documents", "messages", "people", "tool_interrupts"];

let pg: SandboxPostgres;
let sql: postgres.Sql;

beforeAll(async () => {
  pg = await startSandboxPostgres({ port: 0 });
  sql = postgres(pg.url, { max: 1, onnotice: () => {} });
});

afterAll(async () => {
  await sql?.end();
  await pg?.close();
});

const migrate = (env: Record<string, string>) => runNpmScript("db:migrate", [], { DATABASE_URL: "", DATABASE_MIGRATION_URL: "", ...env });

const recorded = () => sql<{ hash: string; created_at: string }[]>`select hash, created_at from drizzle.__drizzle_migrations order by id`;

describe("npm run db:migrate", { timeout: 120_000 }, () => {
  it("creates the schema on a fresh database, and a second run applies nothing and keeps the data", async () => {
    expect(await sql`select 1 from information_schema.tables where table_schema = 'public'`).toHaveLength(0);

    const first = await migrate({ DATABASE_URL: pg.url });
    expect(first).toEqual({ code: 0, stdout: "Migrations applied.\n", stderr: "" });
    const tables = await sql<{ table_name: string }[]>`select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
    expect(tables.map((row) => row.table_name)).toEqual(expect.arrayContaining(TABLES));
    const [vector] = await sql`select 1 from pg_extension where extname = 'vector'`;
    expect(vector).toBeDefined();
    const applied = await recorded();
    expect(applied.map((row) => row.hash)).toEqual(MIGRATIONS.map((migration) => migration.hash));

    const chatId = crypto.randomUUID();
    await sql`insert into chats (id, user_id, title) values (${chatId}, 'auth0|alice', ${"Reisekosten – 1.284,50 € (Entwurf) ".repeat(4)})`;
    const second = await migrate({ DATABASE_URL: pg.url });
    expect(second).toEqual({ code: 0, stdout: "Migrations applied.\n", stderr: "" });
    expect(await recorded()).toEqual(applied);
    expect(await sql`select title from chats where id = ${chatId}`).toEqual([{ title: "Reisekosten – 1.284,50 € (Entwurf) ".repeat(4) }]);
  });

  it("uses DATABASE_MIGRATION_URL over DATABASE_URL, for a direct connection beside a pooled one", async () => {
    const fresh = await startSandboxPostgres({ port: 0 });
    const other = postgres(fresh.url, { max: 1, onnotice: () => {} });
    try {
      // DATABASE_URL points at a port nobody listens on: only the migration URL can have been used.
      const run = await migrate({ DATABASE_URL: "postgres://nobody:nothing@127.0.0.1:9/none", DATABASE_MIGRATION_URL: fresh.url });
      expect(run.code, run.stderr).toBe(0);
      const [count] = await other<{ count: number }[]>`select count(*)::int as count from drizzle.__drizzle_migrations`;
      expect(count?.count).toBe(MIGRATIONS.length);
    } finally {
      await other.end();
      await fresh.close();
    }
  });

  it("says what to set and exits 1 without a database URL, and fails loudly on an unreachable one", async () => {
    const unset = await migrate({});
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain("DATABASE_URL is not set.");
    const unreachable = await migrate({ DATABASE_URL: "postgres://nobody:s3cret-pw@127.0.0.1:9/none" });
    expect(unreachable).toEqual({ code: 1, stdout: "", stderr: "Could not apply the migrations: connect ECONNREFUSED 127.0.0.1:9\n" });
  });
});
