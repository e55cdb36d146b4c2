import { createServer } from "node:http";
import express, { type ErrorRequestHandler } from "express";
import postgres from "postgres";
import { postgresOptions } from "../../db/client";
import { listen, urlHost, requestLog } from "../http";
import { fgaApi } from "./api";
import { FgaError } from "./errors";
import { ModelCache } from "./models";
import { ensureFgaSchema } from "./schema";
import { FgaStorage } from "./storage";

export interface FgaServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Postgres for stores, models and tuples (tables `fga_*`, created if missing). */
  databaseUrl: string;
  /** false behind a transaction pooler, as for the app (DATABASE_PREPARED_STATEMENTS); default true. */
  preparedStatements?: boolean;
  log?: (line: string) => void;
}

export interface FgaServer {
  /** Base URL for OpenFgaClient's `apiUrl`, e.g. "http://127.0.0.1:4001". */
  url: string;
  close(): Promise<void>;
}



/**
 * A local, OpenFGA-compatible authorization service: the HTTP API that `@openfga/sdk`'s OpenFgaClient
 * speaks (stores, models, write/read, read-changes, check, batch-check, list-objects, list-users), evaluating
 * schema 1.1 models without conditions. It stands in for an OpenFGA server or Auth0 FGA; it has no authentication,
 * so it listens on loopback only unless told otherwise.
 */
export async function startFgaServer(options: FgaServerOptions): Promise<FgaServer> {
  const { host = "127.0.0.1", log = (line: string) => console.log(line) } = options;
  // Prepared statements, as the app's own connection uses them (not behind a transaction pooler): postgres.js sends
  // an unprepared statement with parameters in two round trips (describe, then execute), a prepared one in one.
  // Their cached plans stay good as the tuples grow: a real server re-plans as autovacuum refreshes statistics, and
  // the sandbox's PGlite plans every execution (sandbox/postgres/server.ts).
  const connection = postgresOptions(options.databaseUrl, { max: 4, preparedStatements: options.preparedStatements });
  const sql = postgres(connection.url, connection.options);
  try {
    await ensureFgaSchema(sql);
  } catch (error) {
    await sql.end();
    throw error;
  }
  const storage = new FgaStorage(sql);
  const models = new ModelCache(storage);

  const app = express();
  app.disable("x-powered-by");
  // OpenFGA sends no ETag, and hashing every answer to make one was a measurable part of a Check.
  app.disable("etag");
  app.use(requestLog("[sandbox:fga]", log));
  app.get("/healthz", (_req, res) => {
    res.json({ status: "SERVING" });
  });
  app.use(fgaApi({ storage, models }));

  const sendError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof FgaError) {
      res.locals.logNote = error.code;
      res.status(error.httpStatus).json(error.toJSON());
      return;
    }
    // express.json's own failures (malformed JSON, too large) carry a 4xx status.
    const status = (error as { status?: unknown } | undefined)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      res.locals.logNote = "validation_error";
      res.status(400).json({ code: "validation_error", message: "The request body is not valid JSON." });
      return;
    }
    log(`[sandbox:fga] server error: ${error instanceof Error ? error.message : String(error)}`);
    res.status(500).json({ code: "internal_error", message: "Internal Server Error" });
  };
  app.use(sendError);

  const server = createServer(app);
  let port: number;
  try {
    port = await listen(server, options.port, host);
  } catch (error) {
    await sql.end();
    throw error;
  }
  const url = `http://${urlHost(host)}:${port}`;
  log(`[sandbox:fga] OpenFGA-compatible API on ${url}`);

  return {
    url,
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      await sql.end({ timeout: 5 });
    },
  };
}
