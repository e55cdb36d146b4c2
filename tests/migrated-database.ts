import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { runMigrations } from "@/db/migrate";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";

/**
 * A migrated in-memory PGlite for the tests of the file or `describe` that calls this, made the app's DATABASE_URL;
 * `sql()` is a connection of the tests' own, for reading and changing rows behind the app's back, and `url()` the
 * database's URL.
 */
export function setUpMigratedDatabase(): { sql: () => postgres.Sql; url: () => string } {
  let server: SandboxPostgres | undefined;
  let sql: postgres.Sql | undefined;
  beforeAll(async () => {
    server = await startSandboxPostgres({ port: 0 });
    await runMigrations(server.url);
    process.env.DATABASE_URL = server.url;
    sql = postgres(server.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the test database is not started yet");
    return value;
  };
  return { sql: () => started(sql), url: () => started(server).url };
}
