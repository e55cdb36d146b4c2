import type { InterruptedOutput } from "./interrupts";
import type { ToolContext, ToolFailure } from "./tool-context";

/**
 * The one authorizer contract. Every tool declares its authorizers in this order, and one wrapper
 * (lib/ai/tools/pipeline.ts) runs them for every call:
 * 1. "tool-permission" — whether the user lets the agent use this tool at all (FGA, tool-permission.ts). The
 *    pipeline puts it first for every tool; declarations list only the ones after it.
 * 2. "token-vault" — a provider token for the user's connected account (with-token-vault.ts).
 * 3. "in-chat-approval" or "async-approval" — the user's own yes, in the chat (in-chat-approval.ts) or on their
 *    device through CIBA (with-async-authorization.ts).
 */
export const AUTHORIZER_ORDER = ["tool-permission", "token-vault", "in-chat-approval", "async-approval"] as const;
export type AuthorizerKind = (typeof AUTHORIZER_ORDER)[number];

/**
 * One decision as the audit trail records it, with its evidence: connection and scopes, the exact text the user
 * saw, a request id. Never a token.
 */
export interface AuthorizationDecision {
  authorizer: AuthorizerKind;
  /** "verified": a decision recorded earlier (the user's in-chat answer) was checked to cover this very call. */
  decision: "granted" | "verified" | "interrupted" | "requested" | "refused" | "denied" | "expired" | "cancelled";
  evidence: Record<string, unknown>;
}

/** A tool call as an authorizer sees it. */
export interface AuthorizerCall<INPUT> {
  context: ToolContext;
  toolCallId: string;
  input: INPUT;
  /**
   * Records a decision before the authorizer acts on it; it throws when the record cannot be written, and then
   * the authorizer must not go on (the pipeline answers the user that nothing was done).
   */
  decide: (decision: AuthorizationDecision) => Promise<void>;
}

/** What an authorizer hands on when it allows the call: the input it authorized and the credential it obtained. */
export interface Grant<INPUT> {
  input: INPUT;
  accessToken?: string;
}

/** An authorizer's answer when the call may not run now: the user must act (interrupt), or it is refused. */
export type Stop = InterruptedOutput | ToolFailure;

/**
 * The contract, in four parts:
 * - check: `authorize` runs `next` only when the call is allowed, passing on what it granted;
 * - interrupt: when the user must act first, `authorize` answers an `InterruptedOutput` (lib/auth/interrupts.ts)
 *   and `next` does not run;
 * - resume: a resume runs the same call again, by its id, through every authorizer: each picks up its own state
 *   (a connected account, a CIBA request waiting to be polled) — resuming needs no authorizer-specific code;
 * - cancel: `cancel` ends whatever the authorizer left waiting for an interrupted call the user cancelled.
 */
export interface Authorizer {
  kind: AuthorizerKind;
  /** What it checks, in the user's words and in lower case ("your approval on your phone"), for the permissions page. */
  label: string;
  authorize<INPUT, OUTPUT>(call: AuthorizerCall<INPUT>, next: (grant: Grant<INPUT>) => Promise<OUTPUT>): Promise<OUTPUT | Stop>;
  cancel?(call: { context: ToolContext; toolCallId: string }): Promise<void>;
}
