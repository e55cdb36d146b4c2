import { hasUnsafeText } from "./safe-text";
import { isToolUIPart, type UIMessage } from "ai";
import { approvalDeadline } from "@/lib/auth/approval-deadline";
import { signInAndConnectPath, connections, describeScope, isConnectionName } from "@/lib/auth/connections";
import { isInterruptedOutput, type AsyncAuthorizationPending, type TokenVaultInterrupt } from "@/lib/auth/interrupts";
import { approvalFields, authorizationDetailFields } from "@/lib/chat/tool-summary";
import type { ChatRequestBody } from "./api";
import { titleOf, type ToolPart } from "./render";
import type { Terminal } from "./terminal";

/** What the reply waits for from the user, in the order the CLI asks: in-chat approvals, then the first interrupt. */
export type Pending =
  | { kind: "approvals"; parts: ToolPart[] }
  | { kind: "connect"; toolCallId: string; interrupt: TokenVaultInterrupt }
  | { kind: "async-approval"; toolCallId: string; interrupt: AsyncAuthorizationPending }
  | null;

export function pendingOf(message: UIMessage | undefined, now: number): Pending {
  const tools = (message?.parts ?? []).filter(isToolUIPart);
  const approvals = tools.filter((part) => {
    if (part.state !== "approval-requested" || part.approval.isAutomatic) return false;
    const deadline = approvalDeadline(part.approval);
    return !deadline || deadline.getTime() > now;
  });
  if (approvals.length > 0) return { kind: "approvals", parts: approvals };
  for (const part of tools) {
    if (part.state !== "output-available" || !isInterruptedOutput(part.output)) continue;
    const { interrupt } = part.output;
    return interrupt.code === "TOKEN_VAULT_ERROR"
      ? { kind: "connect", toolCallId: part.toolCallId, interrupt }
      : { kind: "async-approval", toolCallId: part.toolCallId, interrupt };
  }
  return null;
}

export interface TurnContext {
  chatId: string;
  origin: string;
  timeZone: string;
  terminal: Terminal;
  /** Calls whose approval request was already described: each check after the first only counts down. */
  described: Set<string>;
}

/** The user left the prompt (Ctrl-D): the call stays waiting in the chat, where the browser can pick it up. */
export class LeftWaiting extends Error {
  override name = "LeftWaiting";
}

/**
 * Asks the user what the pending work needs and returns the request that carries their answer on, as the browser's
 * prompts do (components/chat/): the decisions on approvals, or the id of the call to run again.
 */
export async function answer(pending: NonNullable<Pending>, context: TurnContext): Promise<ChatRequestBody> {
  switch (pending.kind) {
    case "approvals":
      return { id: context.chatId, timeZone: context.timeZone, approvals: await askApprovals(pending.parts, context.terminal) };
    case "connect":
      return resume(context, pending.toolCallId, await askToConnect(pending.interrupt, context));
    case "async-approval":
      return resume(context, pending.toolCallId, await waitForDecision(pending.toolCallId, pending.interrupt, context));
  }
}

const resume = (context: TurnContext, toolCallId: string, cancel: boolean): ChatRequestBody => ({
  id: context.chatId,
  timeZone: context.timeZone,
  resume: cancel ? { toolCallId, cancel: true } : { toolCallId },
});

/** Each call in full, as the browser's card shows it, then y or n; only the decisions travel. */
async function askApprovals(parts: ToolPart[], terminal: Terminal) {
  const decisions = [];
  for (const part of parts) {
    if (part.state !== "approval-requested") continue;
    terminal.say(`\nDelegate asks for your approval: ${titleOf(part)}`);
    for (const field of approvalFields(part.input)) {
      terminal.say(`  ${field.label}: ${indent(field.value)}`);
      if (hasUnsafeText(field.value)) terminal.say(`    (this value holds control characters, shown as \\x.. escapes; they are part of what would be sent)`);
    }
    const deadline = approvalDeadline(part.approval);
    if (deadline) terminal.say(`  Answer by ${deadline.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`);
    const approved = await yesOrNo(terminal, "Approve? [y/n] ");
    decisions.push({ approvalId: part.approval.id, approved, ...(approved ? {} : { reason: "The user denied it in the terminal." }) });
  }
  return decisions;
}

async function yesOrNo(terminal: Terminal, question: string): Promise<boolean> {
  for (;;) {
    const line = await terminal.readLine(question);
    if (line === null) throw new LeftWaiting("No answer given.");
    const word = line.trim().toLowerCase();
    if (["y", "yes"].includes(word)) return true;
    if (["n", "no"].includes(word)) return false;
    terminal.say("Please answer y or n.");
  }
}

/** Returns whether the user cancelled the call instead. */
async function askToConnect(interrupt: TokenVaultInterrupt, context: TurnContext): Promise<boolean> {
  const { terminal } = context;
  const known = isConnectionName(interrupt.connection);
  const label = known ? connections[interrupt.connection as keyof typeof connections].label : interrupt.connection;
  terminal.say(`\n${interrupt.message}`);
  if (interrupt.requiredScopes.length > 0) {
    terminal.say(`Delegate needs your ${label} account to:`);
    for (const scope of interrupt.requiredScopes) terminal.say(`  - ${known ? describeScope(interrupt.connection as keyof typeof connections, scope) : scope}`);
  }
  terminal.say(`Open this link in your browser, sign in and connect ${label}:`);
  terminal.say(`  ${new URL(signInAndConnectPath(interrupt), context.origin).href}`);
  const line = await terminal.readLine("Press Enter once connected (or type cancel): ");
  if (line === null) throw new LeftWaiting("Not connected yet.");
  return line.trim().toLowerCase() === "cancel";
}

/**
 * Shows what the approval is for and counts down to its expiry, asking the server to check again every `interval`
 * seconds (the server decides when to ask the identity server, as for the browser). One last check after expiry
 * lets the server record it. Ctrl-C cancels the call. Returns whether it was cancelled.
 */
async function waitForDecision(toolCallId: string, interrupt: AsyncAuthorizationPending, { terminal, described }: TurnContext): Promise<boolean> {
  if (!described.has(toolCallId)) {
    described.add(toolCallId);
    const [detail] = interrupt.authorizationDetails;
    terminal.say(`\n${detail.instruction}`);
    for (const field of authorizationDetailFields(detail)) terminal.say(`  ${field.label}: ${field.value}`);
    terminal.say(`The notification reads: “${interrupt.bindingMessage}”`);
    terminal.say(interrupt.approvalUrl ? `${interrupt.message} Open the authenticator: ${interrupt.approvalUrl}` : `${interrupt.message} Check your phone for a notification.`);
    terminal.say(`Waiting for your decision until ${new Date(interrupt.request.expiresAt).toLocaleTimeString()} (Ctrl-C cancels it)…`);
  }
  const expiresAt = Date.parse(interrupt.request.expiresAt);
  const delay = Math.min(interrupt.request.interval * 1000, Math.max(0, expiresAt - terminal.now()) + 500);
  const waited = await terminal.wait(delay, () => `Waiting for your approval (Ctrl-C cancels) — ${countdown(expiresAt - terminal.now())} left`);
  return !waited;
}

/** "2:05" for 125 seconds; never negative. */
export function countdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

const indent = (value: string) => value.replaceAll("\n", "\n    ");
