import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DisconnectButton } from "./disconnect-button";

export interface ConnectionCardProps {
  /** The connection's name ("google-oauth2"), unique on the page. */
  name: string;
  label: string;
  /** The connected account, with what each granted permission lets Delegate do; null when not connected. */
  account: { id: string; connectedOn: string; permissions: string[] } | null;
  /** Where "Connect" goes; null when connecting cannot work (only an administrator can fix it). */
  connectUrl: string | null;
}

/** One service on the Connections page: whether it is connected, what Delegate may do with it, and the way to change that. */
export function ConnectionCard({ name, label, account, connectUrl }: ConnectionCardProps) {
  const headingId = `connection-${name}`;
  const details = account ? (
    account.permissions.length > 0 && (
      <ul className="list-disc space-y-0.5 pl-5 text-sm text-zinc-700" aria-label={`Permissions granted to Delegate on ${label}`}>
        {account.permissions.map((permission) => (
          <li key={permission}>{permission}</li>
        ))}
      </ul>
    )
  ) : (
    connectUrl && <p className="text-sm text-zinc-600">Connect it to let the assistant use your {label} account when you ask it to.</p>
  );
  return (
    <li aria-label={label}>
      <Card>
        <CardHeader className="flex-row flex-wrap items-start justify-between gap-x-4 gap-y-2 pb-4">
          <div className="min-w-0">
            <CardTitle as="h2" id={headingId} tabIndex={-1} className="text-base">
              {label}
            </CardTitle>
            <CardDescription>{account ? `Connected on ${account.connectedOn}` : "Not connected"}</CardDescription>
          </div>
          {account ? (
            <DisconnectButton accountId={account.id} label={label} permissions={account.permissions} headingId={headingId} />
          ) : (
            connectUrl && (
              <Button asChild size="sm">
                <a href={connectUrl} aria-label={`Connect ${label}`}>
                  Connect
                </a>
              </Button>
            )
          )}
        </CardHeader>
        {details && <CardContent className="pt-0 pb-4">{details}</CardContent>}
      </Card>
    </li>
  );
}
