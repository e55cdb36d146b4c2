import { pathToFileURL } from "node:url";
import postgres from "postgres";

/**
 * A new, empty database on a PostgreSQL server, for a run that must start from nothing (the end-to-end smoke on a
 * real server, `npm run bench:load`). The app migrates it when it starts.
 *
 *   tsx scripts/fresh-database.ts <server URL> <database name>   creates it
 */
const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL of `database` on the server `serverUrl` points at (same host, port, user and parameters). */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.href;
}

/** Creates `database` on the server and returns its URL; a name already taken is an error, never reused. */
export async function createDatabase(serverUrl: string, database: string): Promise<string> {
  if (!NAME.test(database)) throw new Error(`"${database}" is not a plain lower-case database name`);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${database}`);
  } finally {
    await admin.end();
  }
  return databaseUrl(serverUrl, database);
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  if (!NAME.test(database)) throw new Error(`"${database}" is not a plain lower-case database name`);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${database} with (force)`);
  } finally {
    await admin.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [serverUrl, database] = process.argv.slice(2);
  if (!serverUrl || !database) {
    console.error("usage: tsx scripts/fresh-database.ts <server URL> <database name>");
    process.exit(2);
  }
  await createDatabase(serverUrl, database);
}
