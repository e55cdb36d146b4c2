import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PostgresJsDatabase<typeof schema> & { $client: postgres.Sql };

export interface ConnectOptions {
  max?: number;
  /**
   * false behind a transaction pooler (PgBouncer in transaction mode, Supabase's pooler on port 6543): it hands each
   * transaction to any server connection, so a statement prepared on one is missing on the next.
   */
  preparedStatements?: boolean;
}

/**
 * The URL and postgres.js options for a connection. `pgbouncer=true` in the URL — the flag Prisma and Supabase put
 * on pooled connection strings — also turns prepared statements off. It is taken out of the URL because postgres.js
 * sends unknown URL parameters to the server as startup parameters, and PgBouncer refuses unknown ones.
 */
export function postgresOptions(databaseUrl: string, options: ConnectOptions = {}) {
  // Only the query is rewritten: postgres.js also accepts URLs the URL parser rejects (several hosts).
  const queryStart = databaseUrl.indexOf("?");
  const params = new URLSearchParams(queryStart === -1 ? "" : databaseUrl.slice(queryStart + 1));
  const pooled = params.get("pgbouncer") === "true";
  params.delete("pgbouncer");
  const base = queryStart === -1 ? databaseUrl : databaseUrl.slice(0, queryStart);
  const preparedStatements = (options.preparedStatements ?? true) && !pooled;
  return {
    url: params.size > 0 ? `${base}?${params}` : base,
    options: {
      max: options.max ?? 5,
      onnotice: () => {},
      ...(preparedStatements ? {} : { prepare: false }),
    } satisfies postgres.Options<Record<string, never>>,
  };
}

export function connect(databaseUrl: string, options: ConnectOptions = {}) {
  const { url, options: clientOptions } = postgresOptions(databaseUrl, options);
  const sql = postgres(url, clientOptions);
  return { sql, db: drizzle(sql, { schema }) };
}

/** DATABASE_URL and DATABASE_PREPARED_STATEMENTS, which lib/config.ts validates at start-up. */
export function databaseSettings(env: Record<string, string | undefined>) {
  const url = env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  return { url, preparedStatements: env.DATABASE_PREPARED_STATEMENTS !== "false" };
}

/** Cached on globalThis so Next's dev reloads and serverless warm starts reuse one pool. */
const cache = globalThis as unknown as { delegateDb?: { key: string; db: Database } };

export function getDb(): Database {
  const { url, preparedStatements } = databaseSettings(process.env);
  const key = `${preparedStatements} ${url}`;
  if (cache.delegateDb?.key !== key) cache.delegateDb = { key, db: connect(url, { preparedStatements }).db };
  return cache.delegateDb.db;
}

/**
 * Runs a query as a prepared statement where the connection allows them (not behind a transaction pooler): postgres.js
 * prepares it once per connection, and each later run is one round trip to the database instead of two. Drizzle
 * leaves its queries unprepared, and for an unprepared query with parameters postgres.js first asks the server for
 * their types. Meant for the statements every chat turn runs, on rows found by their key or their user: Postgres may
 * give a prepared statement a generic plan after five runs, which is only as good as a custom one for such queries.
 */
export function prepared<Result>(query: { prepare(name: string): { execute(): Promise<Result> } }): Promise<Result> {
  return query.prepare("delegate").execute();
}
