"use client";

import { useEffect, useRef, useState } from "react";
import { connections, describeScope, isConnectionName } from "@/lib/auth/connections";
import { CONNECT_RESULT_MESSAGE, type ConnectResult, type TokenVaultInterrupt } from "@/lib/auth/interrupts";
import { Button } from "@/components/ui/button";

type State = "waiting" | "connecting" | "failed" | "resuming";

/**
 * Asks the user to connect an account. The tool call resumes only when the connect flow reports success;
 * closing or cancelling the popup leaves "Not connected" with a way to try again.
 */
export function ConnectPrompt({
  chatId,
  toolCallId,
  interrupt,
  active,
  initiallyFailed,
  onConnected,
}: {
  chatId: string;
  toolCallId: string;
  interrupt: TokenVaultInterrupt;
  /** Only a prompt in the latest reply can still be acted on. */
  active: boolean;
  initiallyFailed: boolean;
  onConnected: (toolCallId: string) => void;
}) {
  const [ownState, setState] = useState<State>("waiting");
  // A failure reported through the URL (popups blocked) arrives after the prompt first rendered.
  const state = ownState === "waiting" && initiallyFailed ? "failed" : ownState;
  const cleanup = useRef<() => void>(() => {});
  useEffect(() => () => cleanup.current(), []);

  const label = isConnectionName(interrupt.connection) ? connections[interrupt.connection].label : interrupt.connection;
  const permissions = interrupt.requiredScopes.map((scope) =>
    isConnectionName(interrupt.connection) ? describeScope(interrupt.connection, scope) : scope,
  );

  function connect() {
    const returnTo = `/connect/complete?${new URLSearchParams({ chat: chatId, toolCall: toolCallId })}`;
    const params = new URLSearchParams({ connection: interrupt.connection, returnTo });
    for (const scope of interrupt.requiredScopes) params.append("scopes", scope);
    const url = `/auth/connect?${params}`;
    const popup = window.open(url, "delegate-connect", "popup,width=520,height=700");
    if (!popup) {
      // Popups blocked: the whole tab goes, and /connect/complete brings it back. /auth/connect is a route of
      // the auth proxy, not a page, so the client router cannot take it.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign(url);
      return;
    }
    setState("connecting");
    let settled = false;
    const finish = (next: State) => {
      settled = true;
      cleanup.current();
      setState(next);
      if (next === "resuming") onConnected(toolCallId);
    };
    const onMessage = (event: MessageEvent<ConnectResult>) => {
      if (event.origin !== window.location.origin || event.source !== popup) return;
      if (event.data?.type !== CONNECT_RESULT_MESSAGE || event.data.toolCallId !== toolCallId) return;
      finish(event.data.status === "connected" ? "resuming" : "failed");
    };
    // The popup posts its result and then closes itself, so it can be seen closed a moment before its message is
    // delivered here: a closed popup counts as "not connected" only after a grace period without a message.
    let closedSince: number | null = null;
    const timer = window.setInterval(() => {
      if (settled || !popup.closed) return;
      closedSince ??= Date.now();
      if (Date.now() - closedSince >= 1_000) finish("failed");
    }, 250);
    window.addEventListener("message", onMessage);
    cleanup.current = () => {
      window.clearInterval(timer);
      window.removeEventListener("message", onMessage);
    };
  }

  return (
    <section aria-label={`Connect ${label}`} className="my-2 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm">
      <p className="font-medium text-indigo-950">{interrupt.message}</p>
      {permissions.length > 0 && (
        <>
          <p className="mt-1 text-indigo-900">Delegate will be allowed to:</p>
          <ul className="mt-1 list-disc pl-5 text-indigo-900">
            {permissions.map((permission) => (
              <li key={permission}>{permission}</li>
            ))}
          </ul>
        </>
      )}
      {state === "failed" && (
        <p role="status" className="mt-2 font-medium text-red-800">
          Not connected. Nothing was done; you can try again.
        </p>
      )}
      {state === "resuming" && (
        <p role="status" className="mt-2 text-indigo-900">
          Connected. Continuing…
        </p>
      )}
      {active ? (
        state !== "resuming" && (
          <Button size="sm" onClick={connect} disabled={state === "connecting"} className="mt-3">
            Connect {label}
          </Button>
        )
      ) : (
        <p className="mt-2 text-zinc-600">Not run — the conversation moved on.</p>
      )}
    </section>
  );
}
