import { pathToFileURL } from "node:url";
import { verifyAllChains } from "../db/audit-chain";
import { connect, databaseSettings } from "../db/client";

/**
 * `npm run audit:verify`: walks every user's audit chain (db/audit-chain.ts) and reports the first break of each
 * broken chain — the user, the event and what differs. Exit 0 when every chain verifies, 1 on a break, 2 when the
 * database cannot be read.
 */
export async function auditVerify(env: Record<string, string | undefined>, print: (line: string) => void): Promise<0 | 1 | 2> {
  let settings;
  try {
    settings = databaseSettings(env);
  } catch {
    print("DATABASE_URL is not set. Point it at the app's Postgres, e.g. DATABASE_URL=postgres://user:pass@host/db npm run audit:verify");
    return 2;
  }
  const { sql } = connect(settings.url, { max: 1, preparedStatements: settings.preparedStatements });
  try {
    const { users, breaks } = await verifyAllChains(sql);
    for (const found of breaks) print(`BROKEN user ${found.userId}${found.eventId ? ` at event ${found.eventId}` : ""}: ${found.problem}`);
    print(breaks.length === 0 ? `All ${users} audit chains verify.` : `${breaks.length} of ${users} audit chains are broken.`);
    return breaks.length === 0 ? 0 : 1;
  } catch (error) {
    // The driver's message names the host and the failing statement, never the password in the URL.
    print(`Could not read the audit trail: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    await sql.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exit(await auditVerify(process.env, (line) => console.log(line)));
