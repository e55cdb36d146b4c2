import { recordDisconnect } from "@/lib/auth/account-audit";
import { isConnectionName } from "@/lib/auth/connections";
import { deleteConnectedAccount, listConnectedAccounts, MyAccountPolicyError, MyAccountSignInError } from "@/lib/auth/my-account";
import { getAgentSession } from "@/lib/auth/session";
import { forgetConnectionToken } from "@/lib/auth/token-vault";
import { apiError } from "@/lib/errors";
import { logError } from "@/lib/log";

/**
 * Disconnects an account at the identity server and forgets every token the app cached for it. The cached token
 * goes first: if the disconnect then fails, the next tool call merely exchanges a fresh one. The disconnect is
 * recorded with its outcome, and goes ahead even when it cannot be recorded (lib/auth/account-audit.ts says why).
 */
export async function DELETE(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const session = await getAgentSession();
  if (!session?.refreshToken) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { id } = await params;
  try {
    const account = (await listConnectedAccounts(session.refreshToken)).find((a) => a.id === id);
    if (!account) return apiError("not_found", "No such connected account.");
    const forget = async () => {
      if (isConnectionName(account.connection)) await forgetConnectionToken(session.user.sub, account.connection);
    };
    await forget();
    try {
      await deleteConnectedAccount(session.refreshToken, id);
    } catch (error) {
      await recordDisconnect(session.user.sub, account, "error");
      throw error;
    }
    await recordDisconnect(session.user.sub, account, "done");
    // Once more: a tool call that was exchanging a token while the account was disconnected may have cached it.
    await forget();
  } catch (error) {
    logError("connections", "disconnect failed", error);
    if (error instanceof MyAccountPolicyError) return apiError("forbidden", error.message);
    if (error instanceof MyAccountSignInError) return apiError("unauthorized", error.message);
    return apiError("internal", "Could not disconnect the account. Try again in a moment.");
  }
  return new Response(null, { status: 204 });
}
