"use client";

import { useState } from "react";
import { ApprovalFields } from "@/components/chat/approval-fields";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { Field } from "@/lib/chat/tool-summary";
import { ApiError, fetchOrThrow } from "@/lib/errors";

type State = { kind: "waiting" } | { kind: "sending" } | { kind: "answered"; approved: boolean } | { kind: "failed"; message: string };

/**
 * The answer to an MCP client's approval request: every field of the call, then Approve / Decline. The answer goes
 * to the server once; the client carries the call out only when it calls the tool again.
 */
export function OutsideApprovalAnswer({ chatId, toolCallId, title, fields }: { chatId: string; toolCallId: string; title: string; fields: Field[] }) {
  const [state, setState] = useState<State>({ kind: "waiting" });

  async function answer(approved: boolean) {
    setState({ kind: "sending" });
    try {
      await fetchOrThrow("/api/approvals", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chatId, toolCallId, approved }) });
      setState({ kind: "answered", approved });
    } catch (error) {
      setState({ kind: "failed", message: error instanceof ApiError ? error.message : "Your answer could not be sent. Check your connection and try again." });
    }
  }

  return (
    <>
      <ApprovalFields fields={fields} label={`What "${title}" will do`} />
      {state.kind === "answered" ? (
        <p role="status" className="mt-4 font-medium text-zinc-900">
          {state.approved
            ? "Approved. Go back to the app that asked and let it try again: it will now do exactly this, once."
            : "Declined. Nothing will be done."}
        </p>
      ) : (
        <div className="mt-4 flex flex-wrap gap-2">
          <Button onClick={() => answer(true)} disabled={state.kind === "sending"}>
            Approve
          </Button>
          <Button variant="secondary" onClick={() => answer(false)} disabled={state.kind === "sending"}>
            Decline
          </Button>
        </div>
      )}
      {state.kind === "failed" && <Alert className="mt-3">{state.message}</Alert>}
    </>
  );
}
