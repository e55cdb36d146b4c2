import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxPostgres, type SandboxPostgres } from "@/sandbox/postgres/server";
import { connect, databaseSettings, getDb, postgresOptions, prepared } from "./client";
import { runMigrations } from "./migrate";
import { chats } from "./schema";

describe("database client options", () => {
  it("prepares statements by default, for a direct connection", () => {
    const { url, options } = postgresOptions("postgres://app:s3cret@db.example.com:5432/delegate?sslmode=require");
    expect(url).toBe("postgres://app:s3cret@db.example.com:5432/delegate?sslmode=require");
    expect(options).not.toHaveProperty("prepare");
  });

  it("turns prepared statements off when asked (DATABASE_PREPARED_STATEMENTS=false)", () => {
    const { sql } = connect("postgres://app@pooler.example.com:6543/postgres", { preparedStatements: false });
    expect(sql.options.prepare).toBe(false);
  });

  it("reads pgbouncer=true as a transaction pooler and keeps it away from the server", () => {
    const pooled = "postgres://postgres.abc:p%40ss@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?pgbouncer=true&sslmode=require";
    const { url, options } = postgresOptions(pooled, { preparedStatements: true });
    expect(url).toBe("postgres://postgres.abc:p%40ss@aws-0-eu-west-1.pooler.supabase.com:6543/postgres?sslmode=require");
    expect(options.prepare).toBe(false);
    const { sql } = connect(pooled);
    expect(sql.options.prepare).toBe(false);
    expect(sql.options.connection).not.toHaveProperty("pgbouncer");
    expect(sql.options.pass).toBe("p@ss");
  });

  it("prepares statements with pgbouncer=false, and reads URLs the URL parser rejects (several hosts)", () => {
    expect(postgresOptions("postgres://u@h/db?pgbouncer=false")).toEqual({ url: "postgres://u@h/db", options: expect.not.objectContaining({ prepare: false }) });
    const hosts = "postgres://u@db1.example.com:5432,db2.example.com:5432/app?pgbouncer=true";
    expect(postgresOptions(hosts).url).toBe("postgres://u@db1.example.com:5432,db2.example.com:5432/app");
  });

  it("reads the settings lib/config.ts validates", () => {
    expect(databaseSettings({ DATABASE_URL: "postgres://h/db" })).toEqual({ url: "postgres://h/db", preparedStatements: true });
    expect(databaseSettings({ DATABASE_URL: "postgres://h/db", DATABASE_PREPARED_STATEMENTS: "false" }).preparedStatements).toBe(false);
    expect(() => databaseSettings({})).toThrow(/DATABASE_URL is not set/);
  });
});

describe("prepared (PGlite)", () => {
  let server: SandboxPostgres;
  beforeAll(async () => {
    server = await startSandboxPostgres({ port: 0 });
    await runMigrations(server.url);
  });
  afterAll(async () => {
    delete process.env.DATABASE_PREPARED_STATEMENTS;
    await server?.close();
  });

  it("runs a query as a named prepared statement, and unprepared where the connection may not prepare", async () => {
    // PGlite has one backend for every connection, so this one sees the statements the app's connections prepared.
    const { sql: reader } = connect(server.url, { max: 1, preparedStatements: false });
    const preparedTexts = async () => (await reader<{ statement: string }[]>`select statement from pg_prepared_statements`).map((row) => row.statement);
    try {
      Object.assign(process.env, { DATABASE_URL: server.url, DATABASE_PREPARED_STATEMENTS: "true" });
      const id = randomUUID();
      const title = "Lunch at Café Zürich (Thursday) — “maybe” with bob.o'neil@example.com";
      await getDb().insert(chats).values({ id, userId: "auth0|alice (ü)", title });
      const byId = () => getDb().select({ title: chats.title }).from(chats).where(eq(chats.id, id));
      expect(await prepared(byId())).toEqual([{ title }]);
      expect(await prepared(byId())).toEqual([{ title }]);
      expect(await preparedTexts()).toContain(byId().toSQL().sql);

      process.env.DATABASE_PREPARED_STATEMENTS = "false";
      const byTitle = getDb().select({ id: chats.id }).from(chats).where(eq(chats.title, title));
      expect(await prepared(byTitle)).toEqual([{ id }]);
      expect(await preparedTexts()).not.toContain(byTitle.toSQL().sql);
    } finally {
      await reader.end();
    }
  });
});
