import { withRetries } from "@/lib/http/retry";
import { hasCause } from "./error-causes";

/**
 * Whether a database error means the server could not be reached or went away (a restart, a failover, the network)
 * rather than refusing the query. postgres.js reports the first with the socket's errno or its own codes
 * (https://github.com/porsager/postgres#connection-errors), a server shutting down with SQLSTATE class 57P
 * (operator intervention) or 08 (connection exception); drizzle wraps any of them in an error whose cause it is.
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

export function isDatabaseUnreachable(error: unknown): boolean {
  return hasCause(error, (cause) => {
    const code = (cause as { code?: unknown }).code;
    return typeof code === "string" && (CONNECTION_CODES.has(code) || /^(08|57P)/.test(code));
  });
}

/**
 * Runs a query, and once more if the database could not be reached: a restart or failover closes the pool's
 * connections, the first query on one fails (57P01), and the pool reconnects for the next. Only for a query that may
 * run twice: a read, an upsert, a delete.
 */
export function retryOnceIfUnreachable<T>(query: () => Promise<T>): Promise<T> {
  return withRetries(query, { retryable: isDatabaseUnreachable, maxAttempts: 2 });
}
