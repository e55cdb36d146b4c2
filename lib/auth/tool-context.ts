import type { CurrentUser } from "./session";

/** What a tool may know about the request it runs in. Server-only values never reach the model or browser. */
export interface ToolContext {
  user: CurrentUser;
  /** The chat the call belongs to: tool-call ids are unique only within it. */
  chatId: string;
  /** The session's Auth0 refresh token, the subject of Token Vault exchanges. */
  refreshToken: string | undefined;
  /** The user's IANA time zone, as reported by their browser. */
  timeZone: string;
  /** The turn the call belongs to: the id of the user's message that started it, for the audit trail. */
  turnId?: string;
  /**
   * Takes a write that need not hold up the turn (a call's result event, written after the work) and makes the
   * turn's end wait for it instead. Without it, such writes are awaited where they happen.
   */
  finishBeforeTurnEnds?: (write: Promise<unknown>) => void;
}

/** A tool's answer when it could not do its job; the model explains it to the user. */
export interface ToolFailure {
  error: string;
}

export const isToolFailure = (value: unknown): value is ToolFailure =>
  typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string";
