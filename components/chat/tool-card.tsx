import type { DynamicToolUIPart, ToolUIPart } from "ai";
import { summarizeToolOutput, toolTitle } from "@/lib/chat/tool-summary";

const stateLabels: Record<ToolUIPart["state"], string> = {
  "input-streaming": "Preparing",
  "input-available": "Running",
  "approval-requested": "Awaiting approval",
  "approval-responded": "Approved",
  "output-available": "Done",
  "output-error": "Failed",
  "output-denied": "Denied",
};

/** A compact card for any tool call: name, state and a readable summary, whatever the tool. */
export function ToolCard({ name, part }: { name: string; part: ToolUIPart | DynamicToolUIPart }) {
  const title = toolTitle(name);
  const state = stateLabels[part.state];
  const detail =
    part.state === "output-available"
      ? summarizeToolOutput(part.output)
      : part.state === "output-error"
        ? part.errorText
        : null;
  return (
    <section
      aria-label={`Tool: ${title}`}
      className="my-2 rounded-lg border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm"
    >
      <div className="flex items-center justify-between gap-2">
        <span className="font-medium">{title}</span>
        <span className={`text-xs ${part.state === "output-error" ? "text-red-700" : "text-zinc-600"}`}>{state}</span>
      </div>
      {detail && <p className="mt-1 break-words text-zinc-700">{detail}</p>}
    </section>
  );
}
