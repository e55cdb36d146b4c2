"use client";

import { useEffect, useState } from "react";
import type { AsyncAuthorizationPending } from "@/lib/auth/interrupts";
import { authorizationDetailFields } from "@/lib/chat/tool-summary";
import { ApprovalFields } from "./approval-fields";
import { Button } from "@/components/ui/button";

/**
 * A critical action waiting for the user's approval on another device. While the prompt is live it asks the
 * server to check again every `interval` seconds; the server decides whether it is time to poll the identity
 * server, so a fast client cannot make it poll faster than allowed.
 */
export function ApproveActionPrompt({
  toolCallId,
  interrupt,
  active,
  busy,
  onCheck,
  onCancel,
}: {
  toolCallId: string;
  interrupt: AsyncAuthorizationPending;
  active: boolean;
  busy: boolean;
  onCheck: (toolCallId: string) => void;
  onCancel: (toolCallId: string) => void;
}) {
  const expiresAt = Date.parse(interrupt.request.expiresAt);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const secondsLeft = Math.max(0, Math.ceil((expiresAt - now) / 1000));

  useEffect(() => {
    if (!active || busy) return;
    // After expiry one last check lets the server record it and tell the model.
    const delay = Math.min(interrupt.request.interval * 1000, Math.max(0, expiresAt - Date.now()) + 500);
    const timer = window.setTimeout(() => onCheck(toolCallId), delay);
    return () => window.clearTimeout(timer);
  }, [active, busy, interrupt, expiresAt, toolCallId, onCheck]);

  // As the Auth0 Guardian app shows it: the instruction, then the displayed properties in order.
  const [detail] = interrupt.authorizationDetails;
  const minutes = Math.floor(secondsLeft / 60);
  const seconds = String(secondsLeft % 60).padStart(2, "0");
  return (
    <section aria-label="Approval required" className="my-2 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm">
      <p className="break-words font-medium text-amber-950">{detail.instruction}</p>
      <ApprovalFields fields={authorizationDetailFields(detail)} label="What you are approving" />
      <p className="mt-1 break-words text-amber-900">
        The notification reads: “{interrupt.bindingMessage}”
      </p>
      {active ? (
        <>
          <p className="mt-2 text-amber-900">
            {interrupt.message}{" "}
            {interrupt.approvalUrl ? (
              <a href={interrupt.approvalUrl} target="_blank" rel="noopener noreferrer" className="font-medium underline">
                Open the authenticator
              </a>
            ) : (
              "Check your phone for a notification."
            )}
          </p>
          <div className="mt-3 flex items-center gap-3">
            <span role="timer" aria-label="Time left to approve" className="font-mono text-amber-950">
              {minutes}:{seconds}
            </span>
            <Button variant="secondary" size="sm" onClick={() => onCancel(toolCallId)} disabled={busy} className="border-amber-400 text-amber-950">
              Cancel
            </Button>
          </div>
        </>
      ) : (
        <p className="mt-2 text-zinc-600">Not run — the conversation moved on.</p>
      )}
    </section>
  );
}
