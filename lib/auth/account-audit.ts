import "server-only";
import { AuditUnavailableError, recordAuditEvent } from "@/lib/audit/record";
import { logError } from "@/lib/log";
import { connections, describeScope, isConnectionName } from "./connections";
import { deleteConnectedAccount } from "./my-account";

/** The `connect_error` a connect that could not be recorded (and was undone) returns with. */
export const CONNECT_NOT_RECORDED = "audit_unavailable";

interface Account {
  id: string;
  connection: string;
  scopes: string[];
}

/** The account as the trail records it: which connection, which scopes, which account; never a token. */
const evidenceOf = (account: Account) => ({ connection: account.connection, scopes: account.scopes, accountId: account.id });

function describeAccount({ connection, scopes }: Account): string {
  if (!isConnectionName(connection)) return connection;
  return scopes.length === 0 ? connections[connection].label : `${connections[connection].label} (${scopes.map((scope) => describeScope(connection, scope)).join("; ")})`;
}

/**
 * Records an account the identity server has just connected. Connecting grants the agent authority, so it fails
 * closed like every grant; but the SDK completes the connect at the identity server before the app hears of it, so
 * not letting it happen means undoing it: the account is disconnected again and the user is told it was not
 * connected. Returns whether the connection stands.
 */
export async function recordConnect(userId: string, refreshToken: string | undefined, account: Account): Promise<boolean> {
  try {
    await recordAuditEvent({ userId, action: "account.connect", evidence: evidenceOf(account), summary: `Connected ${describeAccount(account)}`, outcome: "done" });
    return true;
  } catch (error) {
    if (!(error instanceof AuditUnavailableError)) throw error;
    try {
      if (!refreshToken) throw new Error("no refresh token to undo the connect with");
      await deleteConnectedAccount(refreshToken, account.id);
    } catch (undoError) {
      logError("connections", "an unrecorded connect could not be undone", undoError);
    }
    return false;
  }
}

/**
 * Records a disconnect with its outcome, after it was tried. This one is not fail closed: a disconnect takes
 * authority away, and refusing it because the record is down would leave the agent able to act on the account —
 * the reason signing out is never refused either (proxy.ts). A failed write is logged (by recordAuditEvent).
 */
export async function recordDisconnect(userId: string, account: Account, outcome: "done" | "error"): Promise<void> {
  const summary = `Disconnected ${describeAccount(account)}${outcome === "error" ? " (failed)" : ""}`;
  await recordAuditEvent({ userId, action: "account.disconnect", evidence: evidenceOf(account), summary, outcome }).catch(() => {});
}
