import { DisconnectButton } from "@/components/connections/disconnect-button";
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
    <main className="mx-auto w-full max-w-3xl flex-1 overflow-y-auto px-6 py-8">
      <h1 className="text-2xl font-semibold">Connections</h1>
      <p className="mt-1 text-zinc-600">
        Accounts Delegate may use on your behalf. Tokens are issued for each request and expire within the hour.
      </p>
      {setupProblem ? (
        <p role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {setupProblem}
        </p>
      ) : (
        connectError && (
          <p role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {connectError === CONNECT_NOT_RECORDED ? `Not connected. ${AUDIT_UNAVAILABLE_MESSAGE}` : "Not connected: the connection was cancelled or failed."}
          </p>
        )
      )}
      {loadProblem && (
        <p role="alert" className="mt-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {loadProblem}
        </p>
      )}
      <ul className="mt-6 space-y-4">
        {(Object.keys(connections) as ConnectionName[]).map((name) => {
          const account = accounts?.find((a) => a.connection === name);
          const label = connections[name].label;
          const connectUrl = `/auth/connect?${new URLSearchParams([
            ["connection", name],
            ["returnTo", "/connections"],
            ...allScopes(name).map((scope) => ["scopes", scope]),
          ])}`;
          return (
            <li key={name} aria-label={label} className="rounded-lg border border-zinc-200 bg-white p-4">
              <div className="flex items-center justify-between gap-4">
                <div>
                  <h2 className="font-medium">{label}</h2>
                  <p className="text-sm text-zinc-600">
                    {account
                      ? `Connected on ${new Date(account.created_at).toLocaleDateString("en-US", { dateStyle: "medium" })}`
                      : "Not connected"}
                  </p>
                </div>
                {account ? (
                  <DisconnectButton accountId={account.id} label={label} />
                ) : setupProblem ? null : (
                  <a href={connectUrl} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white" aria-label={`Connect ${label}`}>
                    Connect
                  </a>
                )}
              </div>
              {account && account.scopes.length > 0 && (
                <ul className="mt-2 list-disc pl-5 text-sm text-zinc-700" aria-label={`Permissions granted to Delegate on ${label}`}>
                  {account.scopes.map((scope) => (
                    <li key={scope}>{describeScope(name, scope)}</li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ul>
    </main>
  );
}
