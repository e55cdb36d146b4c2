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
   * Takes something the turn's end must wait for: each call's whole record, whose result event is written while the
   * model goes on. Without it (a call outside a turn), the record is awaited before the call returns.
   */
  finishBeforeTurnEnds?: (write: Promise<unknown>) => void;
}

/** A tool's answer when it could not do its job; the model explains it to the user. */
export interface ToolFailure {
  error: string;
}

export const isToolFailure = (value: unknown): value is ToolFailure =>
  typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string";
