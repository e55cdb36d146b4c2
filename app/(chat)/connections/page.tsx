import { ConnectionCard } from "@/components/connections/connection-card";
import { Alert } from "@/components/ui/alert";
import { AUDIT_UNAVAILABLE_MESSAGE } from "@/lib/audit/record";
import { CONNECT_NOT_RECORDED } from "@/lib/auth/account-audit";
import { allScopes, connections, describeScope, type ConnectionName } from "@/lib/auth/connections";
import { listConnectedAccounts, MyAccountPolicyError, MyAccountSignInError, type ConnectedAccount } from "@/lib/auth/my-account";
import { getAgentSession } from "@/lib/auth/session";
import { logError } from "@/lib/log";

export default async function ConnectionsPage({ searchParams }: { searchParams: Promise<{ connect_error?: string }> }) {
  const session = await getAgentSession();
  if (!session) return null; // the layout shows the landing page
  const { connect_error: connectError } = await searchParams;
  let accounts: ConnectedAccount[] | null = null;
  // Set when only an administrator can make connecting work; then no "Connect" or "try again" is offered.
  let setupProblem: string | null = null;
  let loadProblem: string | null = null;
  try {
    if (!session.refreshToken) throw new MyAccountSignInError();
    accounts = await listConnectedAccounts(session.refreshToken);
  } catch (error) {
    if (error instanceof MyAccountPolicyError) setupProblem = error.message;
    else if (error instanceof MyAccountSignInError) loadProblem = error.message;
    else loadProblem = "Could not load your connections from the identity service. Try again in a moment.";
    logError("connections", "listing connected accounts failed", error);
  }
  if (connectError === MyAccountPolicyError.code) setupProblem ??= new MyAccountPolicyError().message;

  return (
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-4 py-8 sm:px-6">
      <h1 className="text-2xl font-semibold">Connections</h1>
      <p className="mt-1 text-zinc-600">
        Accounts Delegate may use on your behalf. Tokens are issued for each request and expire within the hour.
      </p>
      {setupProblem ? (
        <Alert className="mt-4">{setupProblem}</Alert>
      ) : (
        connectError && (
          <Alert className="mt-4">
            {connectError === CONNECT_NOT_RECORDED ? `Not connected. ${AUDIT_UNAVAILABLE_MESSAGE}` : "Not connected: the connection was cancelled or failed."}
          </Alert>
        )
      )}
      {loadProblem && <Alert className="mt-4">{loadProblem}</Alert>}
      <ul className="mt-6 space-y-4">
        {(Object.keys(connections) as ConnectionName[]).map((name) => {
          const account = accounts?.find((a) => a.connection === name);
          return (
            <ConnectionCard
              key={name}
              name={name}
              label={connections[name].label}
              account={
                account
                  ? {
                      id: account.id,
                      connectedOn: new Date(account.created_at).toLocaleDateString("en-US", { dateStyle: "medium" }),
                      permissions: account.scopes.map((scope) => describeScope(name, scope)),
                    }
                  : null
              }
              connectUrl={
                setupProblem
                  ? null
                  : `/auth/connect?${new URLSearchParams([
                      ["connection", name],
                      ["returnTo", "/connections"],
                      ...allScopes(name).map((scope) => ["scopes", scope]),
                    ])}`
              }
            />
          );
        })}
      </ul>
    </main>
  );
}
