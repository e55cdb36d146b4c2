import { runMigrations } from "./migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set. Point it at your Postgres (with pgvector), e.g. DATABASE_URL=postgres://user:pass@host/db npm run db:migrate");
  process.exit(1);
}
await runMigrations(url);
console.log("Migrations applied.");
