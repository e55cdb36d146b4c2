import "server-only";
import { recordAuditEvent, type AuditAction } from "@/lib/audit/record";
import { getAgentSession, type CurrentUser } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";
import { can, docRef, FgaUnavailableError, type DocumentPermission } from "@/lib/fga/documents";

/** The FGA decision on a document action, as audit evidence: the relation, the object as FGA names it, the answer. */
export const documentDecision = (documentId: string, relation: DocumentPermission, allowed = true) => ({
  documentId,
  fga: { relation, object: docRef(documentId), allowed },
});

/** The document actions a route asks FGA about, as a refusal's summary words them. */
type DocumentAction = Extract<AuditAction, "document.download" | "document.delete" | "document.share" | "document.unshare">;
const REFUSED: Record<DocumentAction, string> = {
  "document.download": "Not allowed to download a document",
  "document.delete": "Not allowed to delete a document",
  "document.share": "Not allowed to share a document",
  "document.unshare": "Not allowed to stop sharing a document",
};

/**
 * The gate every document route passes: a session, then an FGA check of the one permission the action needs.
 * Denied (or unknown document) → 403, recorded as a denied `action` with FGA's answer; the authorization service not
 * answering → 503, never a yes. The refusal's record is best effort: a refusal stands whether or not it is recorded,
 * and its summary does not name the document, which the user may not be allowed to see.
 */
export async function authorizeDocument(
  documentId: string,
  permission: DocumentPermission,
  action: DocumentAction,
): Promise<{ user: CurrentUser } | { response: Response }> {
  const session = await getAgentSession();
  if (!session) return { response: apiError("unauthorized", "Your session has expired. Sign in again.") };
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return { response: apiError("forbidden", "You may not do that with this document.") };
  try {
    if (!(await can(session.user.sub, permission, documentId))) {
      await recordAuditEvent({
        userId: session.user.sub,
        action,
        evidence: documentDecision(documentId, permission, false),
        input: { documentId },
        summary: REFUSED[action],
        outcome: "denied",
      }).catch(() => {}); // logged by recordAuditEvent
      return { response: apiError("forbidden", "You may not do that with this document.") };
    }
  } catch (error) {
    if (error instanceof FgaUnavailableError)
      return { response: apiError("unavailable", "The permission service is not answering, so nothing was done. Try again.") };
    throw error;
  }
  return { user: session.user };
}
