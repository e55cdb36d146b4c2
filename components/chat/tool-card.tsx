import type { DynamicToolUIPart, ToolUIPart } from "ai";
import { summarizeToolOutput, toolTitle } from "@/lib/chat/tool-summary";

const stateLabels: Record<ToolUIPart["state"], string> = {
  "input-streaming": "Preparing",
  "input-available": "Running",
  "approval-requested": "Awaiting your approval",
  "approval-responded": "Answered",
  "output-available": "Done",
  "output-error": "Failed",
  "output-denied": "Denied",
};

/** A compact card for any tool call: name, state and a readable summary, whatever the tool. */
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
  const title = toolTitle(name);
  const failed = part.state === "output-error" || (part.state === "output-available" && hasError(part.output));
  const state = failed && part.state === "output-available" ? "Not done" : stateLabels[part.state];
  const detail =
    part.state === "output-available"
      ? summarizeToolOutput(part.output)
      : part.state === "output-error"
        ? part.errorText
        : part.state === "approval-requested" || part.state === "output-denied"
          ? summarizeToolOutput(part.input)
          : null;
  const askingApproval = part.state === "approval-requested" && !part.approval.isAutomatic;
  return (
    <section
      aria-label={`Tool: ${title}`}
      className={`my-2 rounded-lg border px-3 py-2 text-sm ${askingApproval ? "border-amber-300 bg-amber-50" : "border-zinc-200 bg-zinc-50"}`}
    >
      <div className="flex items-center justify-between gap-2">
        <span className="font-medium">{title}</span>
        <span className={`text-xs ${failed ? "text-red-700" : "text-zinc-600"}`}>{state}</span>
      </div>
      {detail && <p className="mt-1 break-words text-zinc-700">{detail}</p>}
      {askingApproval && onApproval && (
        <div className="mt-2 flex gap-2">
          <button
            type="button"
            onClick={() => onApproval(part.approval.id, true)}
            className="rounded-md bg-indigo-600 px-3 py-1 font-medium text-white"
          >
            Approve
          </button>
          <button
            type="button"
            onClick={() => onApproval(part.approval.id, false)}
            className="rounded-md border border-zinc-300 bg-white px-3 py-1 font-medium"
          >
            Deny
          </button>
        </div>
      )}
    </section>
  );
}

function hasError(output: unknown): boolean {
  return typeof output === "object" && output !== null && typeof (output as { error?: unknown }).error === "string";
}
