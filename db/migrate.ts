import path from "node:path";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { connect } from "./client";

const migrationsFolder = path.join(process.cwd(), "db", "migrations");
/** Arbitrary constant: serialises concurrent start-ups (several serverless instances) on one database. */
const MIGRATION_LOCK_ID = 7_230_401;

export async function runMigrations(databaseUrl: string): Promise<void> {
  const { sql, db } = connect(databaseUrl, { max: 1 });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(db, { migrationsFolder });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await sql.end();
  }
}
