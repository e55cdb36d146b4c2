/** Runs once per server start: fail fast on bad configuration, then bring the database schema up to date. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getConfig } = await import("./lib/config");
  const config = getConfig();
  const { runMigrations } = await import("./db/migrate");
  await runMigrations(config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL);
}
