import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "@/lib/config";
import { connect } from "@/db/client";
import { fail, pass, skipAfter, withTimeout, type CheckResult } from "./check";
import { TIMEOUT_MS } from "./http";

/**
 * The database as the app needs it: reachable, pgvector ≥ 0.8 (its `hnsw.iterative_scan` setting, which
 * filtered searches use, arrived in 0.8.0: github.com/pgvector/pgvector CHANGELOG), and every migration in
 * db/migrations applied (drizzle records them in drizzle.__drizzle_migrations by the journal's `when`).
 */
export const POSTGRES_TITLE = "Postgres reachable";
export const PGVECTOR_TITLE = "pgvector ≥ 0.8";
export const MIGRATIONS_TITLE = "Database migrations applied";

export const MIN_PGVECTOR = [0, 8] as const;

interface JournalEntry {
  tag: string;
  when: number;
}

/** The PostgreSQL error's own words (they never contain the password), or the network failure's code. */
function postgresReason(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code === "ECONNREFUSED") return "connection refused (nothing listens there)";
  if (code === "ENOTFOUND") return "the host name does not resolve";
  return message ?? String(error);
}

export function versionAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(".").map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < minimum.length; i++) {
    const [have = 0, need = 0] = [parts[i], minimum[i]];
    if (have !== need) return have > need;
  }
  return true;
}

export async function checkPostgres(config: Pick<Config, "DATABASE_URL">): Promise<CheckResult[]> {
  const { sql } = connect(config.DATABASE_URL, { max: 1 });
  const query = <T>(promise: Promise<T>) => withTimeout(promise, TIMEOUT_MS, "Postgres");
  try {
    let server: string;
    try {
      const [row] = await query(sql<{ version: string }[]>`select current_setting('server_version') as version`);
      server = row?.version ?? "unknown";
    } catch (error) {
      const reachable = fail(
        POSTGRES_TITLE,
        `could not connect: ${postgresReason(error)}`,
        "Check DATABASE_URL (host, port, database, user and password; add ?sslmode=require for hosted Postgres such as Neon or Supabase).",
      );
      return [reachable, skipAfter(PGVECTOR_TITLE, reachable), skipAfter(MIGRATIONS_TITLE, reachable)];
    }
    return [pass(POSTGRES_TITLE, `PostgreSQL ${server}`), await checkPgvector(sql, query), await checkMigrations(sql, query)];
  } finally {
    await sql.end({ timeout: 0 }).catch(() => {});
  }
}

type Sql = ReturnType<typeof connect>["sql"];
type Query = <T>(promise: Promise<T>) => Promise<T>;

async function checkPgvector(sql: Sql, query: Query): Promise<CheckResult> {
  const [installed] = await query(sql<{ version: string }[]>`select extversion as version from pg_extension where extname = 'vector'`);
  if (!installed) {
    const [available] = await query(sql<{ version: string | null }[]>`select default_version as version from pg_available_extensions where name = 'vector'`);
    return fail(
      PGVECTOR_TITLE,
      available ? `pgvector ${available.version} is available but not installed in this database` : "pgvector is not available on this server",
      available
        ? "Run `npm run db:migrate` (migration 0003_documents creates the extension), or `CREATE EXTENSION vector;` as the database owner."
        : "Use a Postgres with pgvector ≥ 0.8 (Neon, Supabase and the pgvector/pgvector Docker image have it; https://github.com/pgvector/pgvector#installation).",
    );
  }
  if (!versionAtLeast(installed.version, MIN_PGVECTOR)) {
    return fail(
      PGVECTOR_TITLE,
      `pgvector ${installed.version} is installed; document search needs 0.8 or later (hnsw.iterative_scan)`,
      "Upgrade it: `ALTER EXTENSION vector UPDATE;` after your provider offers 0.8 (https://github.com/pgvector/pgvector#upgrading).",
    );
  }
  return pass(PGVECTOR_TITLE, `pgvector ${installed.version}`);
}

async function checkMigrations(sql: Sql, query: Query): Promise<CheckResult> {
  const journal = JSON.parse(await readFile(path.join(process.cwd(), "db", "migrations", "meta", "_journal.json"), "utf8")) as { entries: JournalEntry[] };
  const [table] = await query(sql<{ present: boolean }[]>`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  const applied = table?.present
    ? (await query(sql<{ createdAt: string }[]>`select created_at::text as "createdAt" from drizzle.__drizzle_migrations`)).map((row) => Number(row.createdAt))
    : [];
  // drizzle applies every migration newer than the last one recorded, so that one decides what is pending.
  const last = Math.max(0, ...applied);
  const pending = journal.entries.filter((entry) => entry.when > last).map((entry) => entry.tag);
  const newest = journal.entries.at(-1);
  if (pending.length > 0) {
    return fail(
      MIGRATIONS_TITLE,
      applied.length === 0 ? `no migrations applied (${pending.length} pending)` : `${pending.length} pending: ${pending.join(", ")}`,
      "Run `npm run db:migrate` (the app also applies them when it starts; through a transaction pooler, use the direct connection string for this).",
    );
  }
  if (newest && last > newest.when) {
    return fail(
      MIGRATIONS_TITLE,
      "the database has migrations this checkout does not know: it was migrated by newer code",
      "Deploy the same version of Delegate that migrated this database, or point DATABASE_URL at this version's database.",
    );
  }
  return pass(MIGRATIONS_TITLE, `${journal.entries.length} of ${journal.entries.length} applied (latest ${newest?.tag ?? "none"})`);
}
