import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema>;

/** Cached on globalThis so Next's dev reloads and serverless warm starts reuse one pool. */
const cache = globalThis as unknown as { delegateDb?: { url: string; db: Database; sql: postgres.Sql } };

export function connect(url: string, options: { max?: number } = {}) {
  const sql = postgres(url, { max: options.max ?? 5, onnotice: () => {} });
  return { sql, db: drizzle(sql, { schema }) };
}

export function getDb(): Database {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  if (cache.delegateDb?.url !== url) cache.delegateDb = { url, ...connect(url) };
  return cache.delegateDb.db;
}
