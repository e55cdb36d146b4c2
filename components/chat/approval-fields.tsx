import { useId } from "react";
import type { Field } from "@/lib/chat/tool-summary";

/** Long or multi-line values get a scrollable block of their own, so nothing the user approves is hidden. */
const isLong = (value: string) => value.length > 120 || value.includes("\n");

/**
 * Every field of an action awaiting approval — recipient, subject, the whole body, a price cap — labelled and in
 * full, exactly as it will run. Each field is a group named by its label.
 */
export function ApprovalFields({ fields, label }: { fields: Field[]; label: string }) {
  const id = useId();
  if (fields.length === 0) return null;
  return (
    <div role="group" aria-label={label} className="mt-1 space-y-1">
      {fields.map((field, index) => (
        <div key={field.key} role="group" aria-labelledby={`${id}-${index}`} className="break-words text-zinc-900">
          <span id={`${id}-${index}`} className="font-medium text-zinc-800">
            {field.label}
          </span>
          <span aria-hidden="true">:</span>{" "}
          {isLong(field.value) ? (
            <div
              // Scrollable, so it must be reachable by keyboard.
              tabIndex={0}
              className="mt-1 max-h-72 overflow-y-auto whitespace-pre-wrap rounded-md border border-zinc-200 bg-white px-3 py-2"
            >
              {field.value}
            </div>
          ) : (
            <span className="whitespace-pre-wrap">{field.value}</span>
          )}
        </div>
      ))}
    </div>
  );
}
