import type { Tool } from "ai";
import { vi } from "vitest";
import type { ToolContext } from "@/lib/auth/tool-context";
import type { SignedInUser } from "@/sandbox/test-harness";

/** For tests of the provider tools against the sandbox harness: what a tool returns, and what was logged. */
export const contextOf = (user: SignedInUser): ToolContext => ({
  user: { sub: user.sub, name: user.name, email: user.email, picture: null },
  refreshToken: user.refreshToken,
  chatId: crypto.randomUUID(),
  // The provider stand-ins date their seed data in the machine's zone, as the harness starts them.
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
});

/** The tool's result exactly as the model (and the browser) receive it. */
export async function run(tool: Tool, input: object, toolCallId: string = crypto.randomUUID()): Promise<Record<string, unknown>> {
  return (await tool.execute!(input, { toolCallId, messages: [], context: {} })) as Record<string, unknown>;
}

/**
 * Records the user's "Approve" of a call as the chat does (lib/chat/approvals.ts), so a tool with the in-chat
 * approval authorizer runs when called directly; returns the call's id.
 */
export async function approveInChat(context: ToolContext, tool: string, input: object): Promise<string> {
  const { recordAuditEvent } = await import("@/lib/audit/record");
  const toolCallId = crypto.randomUUID();
  await recordAuditEvent({
    userId: context.user.sub,
    chatId: context.chatId,
    toolCallId,
    action: "tool.authorization",
    input,
    summary: `Approved: ${tool}`,
    outcome: "done",
    evidence: { tool, authorizer: "in-chat-approval", decision: "granted", approvalId: crypto.randomUUID() },
  });
  return toolCallId;
}

/** Everything written to console.error from now on (lib/log writes there). */
export function captureLogs(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  return lines;
}

/** The provider server's origin, where faults are injected ("http://127.0.0.1:1234"). */
export const providerOrigin = () => new URL(process.env.GOOGLE_API_URL!).origin;
