import type { Tool } from "ai";
import { beforeAll, vi } from "vitest";
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

/**
 * A valid configuration whose services nothing listens on, for tests that build the tools and call them without
 * reaching a service (mocked, refused first, or never asked). Registers a beforeAll where it is called.
 */
export function stubOfflineConfig() {
  beforeAll(() => {
    for (const [name, value] of Object.entries({
      AUTH0_DOMAIN: "http://localhost:4000",
      AUTH0_CLIENT_ID: "delegate-app",
      AUTH0_CLIENT_SECRET: "secret",
      AUTH0_SECRET: "9d2f6b1e8c4a7035e1b9f2d6c8a40e57b3c9d1f0a6e2847b5c3d9e1f07a2b6c4",
      APP_BASE_URL: "http://localhost:3000",
      DATABASE_URL: "postgres://localhost:5433/postgres",
      OPENAI_API_KEY: "sandbox",
      FGA_API_URL: "http://localhost:4001",
      FGA_STORE_ID: "store",
      SHOP_API_URL: "http://localhost:4004",
      SHOP_API_AUDIENCE: "urn:shop",
    }))
      vi.stubEnv(name, value);
  });
}

/** Alice in a new chat, as the tools' factory gets her in tests whose tools never exchange her refresh token. */
export const offlineContext = (): ToolContext => ({
  user: { sub: "auth0|alice", name: "Alice", email: "alice@example.com", picture: null },
  chatId: crypto.randomUUID(),
  refreshToken: "refresh-token-never-used",
  timeZone: "UTC",
});

/** The provider server's origin, where faults are injected ("http://127.0.0.1:1234"). */
export const providerOrigin = () => new URL(process.env.GOOGLE_API_URL!).origin;
