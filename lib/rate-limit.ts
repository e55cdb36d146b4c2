import "server-only";
import { countAttempt, forgetWindowsBefore } from "@/db/queries/rate-limits";
import { getConfig } from "@/lib/config";
import { apiError } from "@/lib/errors";
import { waitInWords } from "@/lib/http/retry";

/**
 * Per-user rate limits (OWASP LLM10, unbounded consumption): fixed windows counted in Postgres, so a limit holds
 * across every server instance. Each action's allowance comes from configuration.
 */
export type RateLimitedAction = "chat_turn" | "mcp_call" | "upload" | "share" | "approval_request" | "permission_change";

const windows: Record<RateLimitedAction, { seconds: number; limit: () => number; what: string }> = {
  chat_turn: { seconds: 60, limit: () => getConfig().RATE_LIMIT_CHAT_TURNS_PER_MINUTE, what: "messages a minute" },
  // Each MCP tool call may reach a provider, FGA, the embeddings and the audit trail, as a chat message may.
  mcp_call: { seconds: 60, limit: () => getConfig().RATE_LIMIT_MCP_CALLS_PER_MINUTE, what: "MCP tool calls a minute" },
  upload: { seconds: 3600, limit: () => getConfig().RATE_LIMIT_UPLOADS_PER_HOUR, what: "uploads an hour" },
  share: { seconds: 3600, limit: () => getConfig().RATE_LIMIT_SHARES_PER_HOUR, what: "sharing changes an hour" },
  approval_request: { seconds: 3600, limit: () => getConfig().RATE_LIMIT_APPROVAL_REQUESTS_PER_HOUR, what: "approval requests an hour" },
  // Far above what a person clicks, low enough that a script cannot flood FGA and the audit trail.
  permission_change: { seconds: 3600, limit: () => 300, what: "permission changes an hour" },
};

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; message: string };

/** Counts one attempt of `action` by the user; refuses it when the window's allowance is used up. */
export async function takeRateLimit(userId: string, action: RateLimitedAction, now = new Date()): Promise<RateLimitDecision> {
  const { seconds, limit, what } = windows[action];
  const windowMs = seconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const count = await countAttempt({ userId, action, windowStart });
  // Old windows are swept now and then by whoever passes; no scheduler is needed.
  if (Math.random() < 0.01) await forgetWindowsBefore(new Date(now.getTime() - 86_400_000)).catch(() => {});
  if (count <= limit()) return { allowed: true };
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart.getTime() + windowMs - now.getTime()) / 1000));
  return { allowed: false, retryAfterSeconds, message: `You have reached the limit of ${limit()} ${what}. Try again in ${waitInWords(retryAfterSeconds)}.` };
}

/** The 429 answer for a refused attempt, with Retry-After. */
export function rateLimitedResponse(decision: Extract<RateLimitDecision, { allowed: false }>): Response {
  return apiError("rate_limited", decision.message, { "retry-after": String(decision.retryAfterSeconds) });
}
