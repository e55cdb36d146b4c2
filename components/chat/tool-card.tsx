"use client";

import type { DynamicToolUIPart, ToolUIPart } from "ai";
import { useEffect, useState, useSyncExternalStore } from "react";
import { approvalDeadline } from "@/lib/auth/approval-deadline";
import { approvalFields, summarizeToolOutput } from "@/lib/chat/tool-summary";
import { ApprovalFields } from "./approval-fields";
import { renderToolResult } from "./tool-results";
import { useToolTitle } from "./tool-titles";
import { Button } from "@/components/ui/button";

const stateLabels: Record<ToolUIPart["state"], string> = {
  "input-streaming": "Preparing",
  "input-available": "Running",
  "approval-requested": "Awaiting your approval",
  "approval-responded": "Answered",
  "output-available": "Done",
  "output-error": "Failed",
  "output-denied": "Denied",
};
const EXPIRED = "Expired — nothing was done";
const MOVED_ON = "Not answered — the conversation moved on";

/**
 * A compact card for any tool call: name, state and its result — the tool's own view when it has one and the output
 * has the expected shape (tool-results/), else a readable one-line summary. A call awaiting
 * approval shows every field of its input in full, and when the request must be answered by.
 */
export function ToolCard({
  name,
  part,
  onApproval,
}: {
  name: string;
  part: ToolUIPart | DynamicToolUIPart;
  /** Present while the user can still answer an approval request. */
  onApproval?: (approvalId: string, approved: boolean) => void;
}) {
  const title = useToolTitle(name);
  const deadline = part.state === "approval-requested" ? approvalDeadline(part.approval) : null;
  const expired = useHasPassed(deadline) && deadline !== null;
  const failed = part.state === "output-error" || (part.state === "output-available" && hasError(part.output));
  const waitingForAnswer = part.state === "approval-requested" && !part.approval.isAutomatic && !expired;
  const askingApproval = waitingForAnswer && onApproval !== undefined;
  const state = expired
    ? EXPIRED
    : waitingForAnswer && !askingApproval
      ? MOVED_ON
      : failed && part.state === "output-available"
        ? "Not done"
        : stateLabels[part.state];
  const result = part.state === "output-available" && !failed ? renderToolResult(name, part.output) : null;
  const summary =
    part.state === "output-available" ? summarizeToolOutput(part.output) : part.state === "output-error" ? part.errorText : null;
  const showsInput = part.state === "approval-requested" || part.state === "approval-responded" || part.state === "output-denied";
  return (
    <section
      aria-label={`Tool: ${title}`}
      className={`my-2 rounded-lg border px-3 py-2 text-sm ${askingApproval ? "border-amber-300 bg-amber-50" : "border-zinc-200 bg-zinc-50"}`}
    >
      <div className="flex items-center justify-between gap-2">
        <span className="font-medium">{title}</span>
        <span className={`text-xs ${failed || expired ? "text-red-700" : "text-zinc-600"}`}>{state}</span>
      </div>
      {showsInput && <ApprovalFields fields={approvalFields(part.input)} label={askingApproval ? "What you are approving" : "What was asked"} />}
      {result ?? (summary && <p className="mt-1 break-words text-zinc-700">{summary}</p>)}
      {askingApproval && deadline && <AnswerBy deadline={deadline} />}
      {askingApproval && onApproval && (
        <div className="mt-2 flex gap-2">
          <Button size="sm" onClick={() => onApproval(part.approval.id, true)}>
            Approve
          </Button>
          <Button variant="secondary" size="sm" onClick={() => onApproval(part.approval.id, false)}>
            Deny
          </Button>
        </div>
      )}
    </section>
  );
}

/** "Answer by 14:05" in the browser's time zone, which the server rendering cannot know: shown once hydrated. */
function AnswerBy({ deadline }: { deadline: Date }) {
  const hydrated = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
  if (!hydrated) return null;
  return (
    <p className="mt-2 text-amber-900">
      Answer by <time dateTime={deadline.toISOString()}>{deadline.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</time>
    </p>
  );
}

const subscribeToNothing = () => () => {};

/** Turns true when `deadline` passes, re-rendering at that moment. */
function useHasPassed(deadline: Date | null): boolean {
  const [passed, setPassed] = useState(false);
  const time = deadline?.getTime();
  useEffect(() => {
    if (time === undefined) return;
    const timer = window.setTimeout(() => setPassed(true), Math.max(0, time - Date.now()));
    return () => window.clearTimeout(timer);
  }, [time]);
  return passed;
}

function hasError(output: unknown): boolean {
  return typeof output === "object" && output !== null && typeof (output as { error?: unknown }).error === "string";
}
