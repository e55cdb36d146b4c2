import { useId } from "react";
import { approvalFields } from "@/lib/chat/tool-summary";

/** Long or multi-line values get a scrollable block of their own, so nothing the user approves is hidden. */
const isLong = (value: string) => value.length > 120 || value.includes("\n");

/**
 * Every field of an action awaiting approval — recipient, subject, the whole body, a price cap — labelled and in
 * full, exactly as it will run.
 */
export function ApprovalFields({ input, label }: { input: unknown; label: string }) {
  const id = useId();
  const fields = approvalFields(input);
  if (fields.length === 0) return null;
  return (
    <dl aria-label={label} className="mt-1 space-y-1">
      {fields.map((field, index) => (
        <div key={field.key} className={isLong(field.value) ? undefined : "flex flex-wrap gap-x-1"}>
          <dt id={`${id}-${index}`} className="font-medium text-zinc-800">
            {field.label}
            <span aria-hidden="true">:</span>
          </dt>{" "}
          {isLong(field.value) ? (
            <dd
              aria-labelledby={`${id}-${index}`}
              // Scrollable, so it must be reachable by keyboard.
              tabIndex={0}
              className="mt-1 max-h-72 overflow-y-auto whitespace-pre-wrap break-words rounded-md border border-zinc-200 bg-white px-3 py-2 text-zinc-900"
            >
              {field.value}
            </dd>
          ) : (
            <dd aria-labelledby={`${id}-${index}`} className="whitespace-pre-wrap break-words text-zinc-900">
              {field.value}
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}
