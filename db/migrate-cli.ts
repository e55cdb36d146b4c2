import { runMigrations } from "./migrate";

// A direct (unpooled) URL when there is one: long schema changes need no pooler's time limits.
const url = process.env.DATABASE_MIGRATION_URL || process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. Point it at your Postgres (with pgvector), e.g. DATABASE_URL=postgres://user:pass@host/db npm run db:migrate");
  process.exit(1);
}
try {
  await runMigrations(url);
  console.log("Migrations applied.");
} catch (error) {
  // The driver's message names the host and the failing statement, never the password in the URL.
  console.error(`Could not apply the migrations: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
