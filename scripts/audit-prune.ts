import { pathToFileURL } from "node:url";
import { connect, databaseSettings } from "../db/client";
import { pruneExpiredAuditEvents } from "../db/queries/audit";
import { auditRetentionDays } from "../lib/config";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `npm run audit:prune`: removes the audit events older than AUDIT_RETENTION_DAYS from every user's chain, moving
 * each chain's anchor so what remains still verifies (`npm run audit:verify`). Each write already prunes its own
 * user's chain; this reaches the users who stopped writing. Prints how many events each pruned chain lost, never
 * whose chain it was. Exit 0 when done (also when nothing was due), 1 when it could not run or stopped part way.
 */
export async function auditPrune(env: Record<string, string | undefined>, print: (line: string) => void, now = new Date()): Promise<0 | 1> {
  let settings;
  try {
    settings = databaseSettings(env);
  } catch {
    print("DATABASE_URL is not set. Point it at the app's Postgres, e.g. DATABASE_URL=postgres://user:pass@host/db npm run audit:prune");
    return 1;
  }
  let days;
  try {
    days = auditRetentionDays(env);
  } catch (error) {
    print(error instanceof Error ? error.message : String(error));
    return 1;
  }
  const before = new Date(now.getTime() - days * DAY_MS);
  const { sql, db } = connect(settings.url, { max: 1, preparedStatements: settings.preparedStatements });
  try {
    const removed = await pruneExpiredAuditEvents(before, db);
    removed.forEach((count, i) => print(`Chain ${i + 1} of ${removed.length}: ${count} event${count === 1 ? "" : "s"} removed.`));
    const total = removed.reduce((sum, count) => sum + count, 0);
    print(`Removed ${total} audit event${total === 1 ? "" : "s"} older than ${days} days (before ${before.toISOString()}) from ${removed.length} chain${removed.length === 1 ? "" : "s"}.`);
    return 0;
  } catch (error) {
    // Each chain is pruned in its own transaction: the ones done stay done and verify; running again finishes the rest.
    print(`Could not prune the audit trail: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await sql.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exit(await auditPrune(process.env, (line) => console.log(line)));
