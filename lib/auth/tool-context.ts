import type { ClientCredentials } from "./oauth";
import type { CurrentUser } from "./session";

/**
 * An access token a caller brought to one of Delegate's APIs (an MCP client, the terminal client). Token Vault
 * exchanges it through that API's Custom API Client; `client` is null when the deployment has not set one up.
 */
export interface ApiAccess {
  token: string;
  client: ClientCredentials | null;
  /** How the caller signs in again when the token is refused, in the user's words. */
  signInAgain: string;
}

/** What a tool may know about the request it runs in. Server-only values never reach the model or browser. */
export interface ToolContext {
  user: CurrentUser;
  /** The chat the call belongs to: tool-call ids are unique only within it. */
  chatId: string;
  /** The session's Auth0 refresh token, the subject of Token Vault exchanges for the web chat. */
  refreshToken: string | undefined;
  /** Set instead for a caller with an access token: Token Vault exchanges that token, never a refresh token. */
  apiAccess?: ApiAccess;
  /**
   * Who is calling when it is not the web chat: an MCP client (by its OAuth client id) or the terminal client. The
   * audit trail records it with every event of the call; an MCP client brings its own model, so none is recorded.
   */
  via?: { channel: "mcp" | "terminal"; clientId?: string };
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
