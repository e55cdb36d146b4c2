import "server-only";
import { getAgentSession, type CurrentUser } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";
import { can, FgaUnavailableError, type DocumentPermission } from "@/lib/fga/documents";

/**
 * The gate every document route passes: a session, then an FGA check of the one permission the action needs.
 * Denied (or unknown document) → 403; the authorization service not answering → 503, never a yes.
 */
export async function authorizeDocument(
  documentId: string,
  permission: DocumentPermission,
): Promise<{ user: CurrentUser } | { response: Response }> {
  const session = await getAgentSession();
  if (!session) return { response: apiError("unauthorized", "Your session has expired. Sign in again.") };
  if (!/^[0-9a-f-]{36}$/i.test(documentId)) return { response: apiError("forbidden", "You may not do that with this document.") };
  try {
    if (!(await can(session.user.sub, permission, documentId)))
      return { response: apiError("forbidden", "You may not do that with this document.") };
  } catch (error) {
    if (error instanceof FgaUnavailableError)
      return { response: apiError("unavailable", "The permission service is not answering, so nothing was done. Try again.") };
    throw error;
  }
  return { user: session.user };
}
