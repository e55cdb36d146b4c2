"use client";

import { useRef } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useServerChange } from "@/components/use-server-change";
import { fetchOrThrow } from "@/lib/errors";

const anyOf = new Intl.ListFormat("en", { style: "long", type: "disjunction" });

/** What the assistant loses with the account, from the permissions it was granted ("See your public channels"…). */
export function disconnectConsequence(label: string, permissions: string[]): string {
  const abilities = permissions.map((permission) => permission.charAt(0).toLowerCase() + permission.slice(1));
  const what = abilities.length > 0 ? anyOf.format(abilities) : `use your ${label} account`;
  return `Once you disconnect, the assistant can no longer ${what}. You can connect ${label} again at any time.`;
}

/**
 * Disconnects after asking. Once disconnected the button gives way to "Connect", so focus moves to the connection's
 * heading (`headingId`) instead of being lost with it.
 */
export function DisconnectButton({ accountId, label, permissions, headingId }: { accountId: string; label: string; permissions: string[]; headingId: string }) {
  const { outcome, run } = useServerChange();
  const disconnected = useRef(false);
  return (
    <div className="grid justify-items-end gap-2">
      <ConfirmDialog
        trigger={
          <Button variant="secondary" size="sm" aria-label={`Disconnect ${label}`}>
            Disconnect
          </Button>
        }
        title={`Disconnect ${label}?`}
        description={disconnectConsequence(label, permissions)}
        confirmLabel={`Disconnect ${label}`}
        onConfirm={async () => {
          disconnected.current = await run(async () => (await fetchOrThrow(`/api/connections/${encodeURIComponent(accountId)}`, { method: "DELETE" }), null));
        }}
        focusAfterConfirm={() => (disconnected.current ? document.getElementById(headingId) : null)}
      />
      {outcome && <Alert tone={outcome.tone}>{outcome.text}</Alert>}
    </div>
  );
}
