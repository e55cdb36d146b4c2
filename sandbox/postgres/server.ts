import { mkdir } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from "@electric-sql/pglite-socket";
import { BatchAffineQueue } from "./batch-queue";
import { emitWholeMessages } from "./whole-messages";

export interface SandboxPostgres {
  /** A postgres:// URL that any Postgres client (postgres.js, psql, drizzle-kit) can use. */
  url: string;
  /** The database itself, for what pglite-socket does not relay: COPY FROM STDIN (bench/rag.ts copies through `/dev/blob`). */
  db: PGlite;
  close(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WASM) with pgvector, served over the Postgres wire protocol so the app
 * connects with postgres.js exactly as it would to Neon or Supabase. `dataDir` undefined keeps it in memory.
 * pglite-socket speaks the protocol on each connection, fed whole messages (whole-messages.ts); the queue behind it
 * (batch-queue.ts) shares PGlite's single backend between connections safely.
 */
export async function startSandboxPostgres(options: { port: number; dataDir?: string }): Promise<SandboxPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { vector } });
  await db.exec("CREATE EXTENSION IF NOT EXISTS vector");
  // PGlite never vacuums or analyzes on its own, so nothing ever invalidates a cached generic plan: one chosen for a
  // prepared statement while its table was small (a sequential scan) would still run when the table holds a million
  // rows. A real server re-plans as autovacuum refreshes the statistics; here every execution is planned for its own
  // parameters instead, which costs a fraction of the round trip a prepared statement saves. The setting is the one
  // backend's, so it holds for every connection.
  await db.exec("SET plan_cache_mode = force_custom_plan");
  const queryQueue = new BatchAffineQueue(db) as unknown as PGLiteSocketHandlerOptions["queryQueue"];
  const handlers = new Set<PGLiteSocketHandler>();
  const server = createServer((socket: Socket) => {
    emitWholeMessages(socket);
    const handler = new PGLiteSocketHandler({ queryQueue, closeOnDetach: true });
    handlers.add(handler);
    socket.on("close", () => handlers.delete(handler));
    void handler.attach(socket);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : options.port);
    });
  });
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    db,
    async close() {
      await Promise.all([...handlers].map((handler) => handler.detach(true)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
    },
  };
}
