import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface SandboxPostgres {
  /** A postgres:// URL that any Postgres client (postgres.js, psql, drizzle-kit) can use. */
  url: string;
  close(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WASM) with pgvector, served over the Postgres wire protocol so the app
 * connects with postgres.js exactly as it would to Neon or Supabase. `dataDir` undefined keeps it in memory.
 */
export async function startSandboxPostgres(options: { port: number; dataDir?: string }): Promise<SandboxPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { vector } });
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  // PGlite has one backend; the socket server queues queries, and >1 connection lets a postgres.js pool work.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: options.port, maxConnections: 20 });
  await server.start();
  const port = server.getServerConn().split(":").pop();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
