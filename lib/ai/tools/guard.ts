import type { Tool, ToolSet } from "ai";
import { storable } from "@/db/storable";
import type { ToolFailure } from "@/lib/auth/tool-context";
import { logError } from "@/lib/log";
import { toModelOutput } from "./model-output";

/** What the model (and the browser) learn when a tool throws: an exception's text stays in the server. */
export const TOOL_FAILED: ToolFailure = { error: "The action failed unexpectedly. Nothing more was done." };

/**
 * Applied once to the whole tool set, so no tool can miss it: every result reaches the model inside the
 * untrusted-data envelope, and a tool that throws answers TOOL_FAILED. The AI SDK would otherwise turn the
 * exception into a tool error whose message — which can quote a provider's answer, a URL or a query — goes to
 * the model and to the browser.
 */
export function guardTools<TOOLS extends ToolSet>(tools: TOOLS): TOOLS {
  return Object.fromEntries(Object.entries(tools).map(([name, tool]) => [name, guardTool(name, tool)])) as TOOLS;
}

function guardTool(name: string, tool: Tool): Tool {
  const { execute } = tool;
  if (!execute) return { ...tool, toModelOutput };
  return {
    ...tool,
    toModelOutput,
    execute: async (input, options) => {
      try {
        // Stored with the chat as the model saw it: one NUL in an email an outsider wrote must not make the reply
        // unstorable.
        return storable(await execute(input, options));
      } catch (error) {
        logError(`tool:${name}`, "execution failed", error);
        return TOOL_FAILED;
      }
    },
  };
}
