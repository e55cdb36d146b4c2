import "server-only";
import { randomUUID } from "node:crypto";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { UrlElicitationRequiredError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { findWaitingAsyncCall } from "@/db/queries/async-authorizations";
import { latestOutsideApproval, leaseOutsideCall, releaseOutsideCall, takeApprovedCall } from "@/db/queries/interrupts";
import { mcpChatFor } from "./chat";
import { createTools, declarationOf, offeredDeclarations, type ToolName } from "@/lib/ai/tools";
import { toModelOutput } from "@/lib/ai/tools/model-output";
import { needsChatApproval } from "@/lib/ai/tools/pipeline";
import type { BearerCaller } from "@/lib/auth/bearer";
import { signInAndConnectPath } from "@/lib/auth/connections";
import { NO_RECORDED_APPROVAL } from "@/lib/auth/in-chat-approval";
import { isInterruptedOutput, type AsyncAuthorizationPending, type TokenVaultInterrupt } from "@/lib/auth/interrupts";
import { MCP_SCOPES, protectedResource } from "@/lib/auth/protected-resources";
import { isToolFailure, type ToolContext } from "@/lib/auth/tool-context";
import { askOutsideApproval, outsideApprovalPath, outsideCallPrefix } from "@/lib/chat/outside-approvals";
import { getConfig } from "@/lib/config";
import { logError } from "@/lib/log";
import type { McpSessionFacts } from "./session";

/**
 * Delegate's tools as MCP tools: the chat agent's own declarations, run through the same pipeline (tool permission,
 * Token Vault, approvals) and audit trail. Only what differs for an MCP client lives here: how an interrupt is shown
 * (a URL to open, a wait for the phone) and which calls a token's scopes allow.
 */

/** How long one call waits for a purchase's approval: inside the route's 60 s, with room for the order itself. */
const APPROVAL_WAIT_MS = 40_000;

export interface McpCall {
  caller: BearerCaller;
  session: McpSessionFacts;
  usable: ReadonlySet<string>;
  /** The HTTP request's signal: once the client has gone, nothing more is waited for on its behalf. */
  aborted: AbortSignal;
}

/** What the client is told when a call fails unexpectedly: the exception's text stays in the server's log. */
const CALL_FAILED: CallToolResult = { isError: true, content: [{ type: "text", text: "The action failed unexpectedly. Nothing more was done." }] };

export function registerDelegateTools(server: McpServer, call: McpCall) {
  const { caller, usable } = call;
  for (const declaration of offeredDeclarations()) {
    if (!caller.accessToken.scopes.has(MCP_SCOPES[declaration.risk])) continue;
    server.registerTool(
      declaration.name,
      {
        title: declaration.title,
        description: !usable.has(declaration.name)
          ? `Switched off by the user in Agent permissions: calling it does nothing but say so. When on: ${declaration.description}`
          : needsChatApproval(declaration)
            ? `${declaration.description} Needs the user's yes each time: the first call answers with a Delegate page where the user approves; call it again with the same arguments once they have.`
            : declaration.description,
        inputSchema: declaration.inputSchema as never,
        annotations: { title: declaration.title, readOnlyHint: declaration.risk === "read", destructiveHint: declaration.risk !== "read", openWorldHint: true },
      },
      ((input: unknown, extra: RequestExtra) =>
        callTool(declaration.name, input, extra, call).catch((error: unknown) => {
          // URL elicitations travel as errors on purpose; anything else is logged, never shown.
          if (error instanceof UrlElicitationRequiredError) throw error;
          logError(`mcp:${declaration.name}`, "call failed", error);
          return CALL_FAILED;
        })) as never,
    );
  }
}

interface RequestExtra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification: (notification: { method: "notifications/progress"; params: { progressToken: string | number; progress: number; message?: string } }) => Promise<void>;
}

async function callTool(name: string, input: unknown, extra: RequestExtra, { caller, session, usable, aborted }: McpCall): Promise<CallToolResult> {
  const { user, accessToken } = caller;
  const clientId = accessToken.clientId ?? "unknown";
  const chatId = await mcpChatFor(user.sub, clientId);
  const resource = protectedResource("mcp");
  const context: ToolContext = {
    user,
    chatId,
    refreshToken: undefined,
    apiAccess: { token: accessToken.token, client: resource.tokenVaultClient, signInAgain: "Sign in to Delegate again in your MCP client" },
    via: { channel: "mcp", clientId },
    timeZone: "UTC",
  };
  const tool = createTools(context, usable)[name as ToolName] as unknown as { execute: (input: unknown, options: { toolCallId: string; messages: []; abortSignal: AbortSignal }) => Promise<unknown> };
  let toolCallId: string;
  // An approved call is taken once (takeApprovedCall); any other is held while this request runs it.
  let held = false;
  if (usable.has(name) && waitsForChatApproval(name)) {
    const approval = await approvalFor(context, name, input);
    if ("ask" in approval) return needsApproval(name, approval.ask, session);
    toolCallId = approval.run;
  } else {
    toolCallId = await callIdFor(chatId, user.sub, name, input);
    held = true;
  }
  const run = () => tool.execute(input, { toolCallId, messages: [], abortSignal: extra.signal });

  if (held && !(await leaseOutsideCall({ chatId, toolCallId }))) {
    return { isError: true, content: [{ type: "text", text: `An earlier call of ${name} with these arguments is still being carried out. Call it again in a few seconds to see how it ended.` }] };
  }
  let output: unknown;
  try {
    output = await run();
    const deadline = Date.now() + APPROVAL_WAIT_MS;
    let progress = 0;
    const gone = () => extra.signal.aborted || aborted.aborted;
    while (isInterruptedOutput(output) && output.interrupt.code === "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING" && !gone()) {
      const wait = output.interrupt.request.interval * 1000;
      if (Date.now() + wait > deadline || Date.parse(output.interrupt.request.expiresAt) <= Date.now()) break;
      const token = extra._meta?.progressToken;
      if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: ++progress, message: "Waiting for your approval on your phone" } }).catch(() => {});
      await sleep(wait, AbortSignal.any([extra.signal, aborted]));
      if (gone()) break;
      output = await run();
    }
  } finally {
    if (held) await releaseOutsideCall({ chatId, toolCallId, waiting: isInterruptedOutput(output) });
  }

  if (isInterruptedOutput(output)) {
    return output.interrupt.code === "TOKEN_VAULT_ERROR" ? needsConnection(output.interrupt, session) : stillWaiting(name, output.interrupt);
  }
  if (isToolFailure(output)) return { isError: true, content: [{ type: "text", text: output.error === NO_RECORDED_APPROVAL ? noRecordedYes(name) : output.error }] };
  const shown = toModelOutput({ output });
  return { content: [{ type: "text", text: shown.type === "text" ? shown.value : JSON.stringify(shown.value) }] };
}

/**
 * A call's id. An MCP request has none that lasts, so one is made per call (outsideCallPrefix + a random part),
 * except that calling a tool again with the same arguments continues the call still waiting for the user: its
 * purchase approval on the phone, or its approval on Delegate's approval page. That is how a client "checks again",
 * and it can never start a second request for the same thing.
 */
async function callIdFor(chatId: string, userId: string, name: string, input: unknown): Promise<string> {
  const prefix = outsideCallPrefix(name, input);
  const waiting = await findWaitingAsyncCall({ chatId, userId });
  return waiting?.startsWith(prefix) ? waiting : `${prefix}${randomUUID()}`;
}

/**
 * Sends the user to one of Delegate's pages: a URL-mode elicitation when the client said it can open URLs, otherwise
 * a plain error that carries the URL and `instruction` (what to do there, and after).
 */
function openInBrowser(path: string, message: string, instruction: (url: string) => string, session: McpSessionFacts): CallToolResult {
  const url = new URL(path, getConfig().APP_BASE_URL).href;
  if (session.urlElicitation) throw new UrlElicitationRequiredError([{ mode: "url", elicitationId: randomUUID(), url, message }]);
  return { isError: true, content: [{ type: "text", text: `${message} ${instruction(url)}` }] };
}

const needsConnection = (interrupt: TokenVaultInterrupt, session: McpSessionFacts) =>
  openInBrowser(signInAndConnectPath(interrupt), interrupt.message, (url) => `Open ${url} in a browser to connect it, then call this tool again.`, session);

/**
 * A tool that asks the user's yes each time: granted and not yet used, the call runs under the approved id (the
 * pipeline verifies the recorded yes, as for a chat); still waiting, the same page is named again; otherwise a new
 * request is made.
 */
async function approvalFor(context: ToolContext, name: string, input: unknown): Promise<{ run: string } | { ask: string }> {
  const prefix = outsideCallPrefix(name, input);
  const latest = await latestOutsideApproval({ chatId: context.chatId, prefix });
  if (latest?.status === "resolved" && (await takeApprovedCall({ chatId: context.chatId, toolCallId: latest.toolCallId }))) return { run: latest.toolCallId };
  if (latest?.status === "pending" && latest.expiresAt && latest.expiresAt.getTime() > Date.now()) return { ask: outsideApprovalPath(context.chatId, latest.toolCallId) };
  const { path } = await askOutsideApproval({ context, toolCallId: `${prefix}${randomUUID()}`, tool: name, input });
  return { ask: path };
}

function needsApproval(name: string, path: string, session: McpSessionFacts): CallToolResult {
  const title = declarationOf(name)?.title ?? name;
  const message = `"${title}" needs your yes each time. Approve it in Delegate within ${getConfig().APPROVAL_EXPIRY_MINUTES} minutes, then call ${name} again with the same arguments.`;
  return openInBrowser(path, message, (url) => `Open ${url} to see exactly what it will do and answer. Nothing has been done yet.`, session);
}

const waitsForChatApproval = (name: string) => {
  const declaration = declarationOf(name);
  return declaration ? needsChatApproval(declaration) : false;
};

/** The pipeline found no yes for the call it ran (the only way here: it was taken back in between). */
const noRecordedYes = (name: string) => `Your yes to "${declarationOf(name)?.title ?? name}" is not on record, so nothing was done. Call it again to be asked.`;

function stillWaiting(name: string, interrupt: AsyncAuthorizationPending): CallToolResult {
  const where = interrupt.approvalUrl ? ` (${interrupt.approvalUrl})` : "";
  return {
    isError: true,
    content: [
      {
        type: "text",
        text: `Waiting for your approval on your phone${where}: "${interrupt.bindingMessage}". Nothing has been done yet. After approving, call ${name} again with the same arguments before ${interrupt.request.expiresAt} to carry it out; if it is denied or expires, nothing happens.`,
      },
    ],
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
