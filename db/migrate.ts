import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { connect } from "./client";

const migrationsFolder = path.join(process.cwd(), "db", "migrations");
/** Arbitrary constant: serialises concurrent start-ups (several serverless instances) on one database. */
const MIGRATION_LOCK_ID = 7_230_401;

/**
 * Applies db/migrations exactly once, however many instances start at the same moment, directly or through a
 * transaction pooler. Everything happens in one transaction that first takes a transaction-level advisory lock:
 * a pooler gives each transaction a whole server connection, whereas a session-level lock would stay with whichever
 * server connection the pooler picked and its unlock could land on another. A second starter waits for the lock,
 * then finds the migrations recorded. Prepared statements stay off so no setting is needed for a pooler.
 *
 * drizzle's own migrator reads the recorded migrations before its transaction begins, so a lock taken inside cannot
 * make that read wait. This keeps drizzle's bookkeeping table and rule (apply each migration newer than the newest
 * recorded one), so databases it migrated before carry on.
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const migrations = readMigrationFiles({ migrationsFolder });
  const { sql } = connect(databaseUrl, { max: 1, preparedStatements: false });
  try {
    await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`;
      await tx`create schema if not exists drizzle`;
      await tx`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
      const [newest] = await tx<{ created_at: string }[]>`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
      for (const migration of migrations) {
        if (newest && Number(newest.created_at) >= migration.folderMillis) continue;
        for (const statement of migration.sql) await tx.unsafe(statement);
        await tx`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`;
      }
    });
  } finally {
    await sql.end();
  }
}
