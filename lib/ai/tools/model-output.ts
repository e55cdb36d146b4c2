import type { JSONValue } from "ai";
import { isInterruptedOutput } from "@/lib/auth/interrupts";

/**
 * What the model is told about a tool result. An interrupted call is normally never shown to the model (the
 * loop stops), but if the user moves on without resolving it, the model learns the call did not run.
 */
export function toModelOutput({ output }: { output: unknown }): { type: "text"; value: string } | { type: "json"; value: JSONValue } {
  if (isInterruptedOutput(output))
    return { type: "text", value: `Not run: ${output.interrupt.message} The user has not done this yet.` };
  return { type: "json", value: (output ?? null) as JSONValue };
}
