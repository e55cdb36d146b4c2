import "server-only";
import { findAsyncAuthorization, insertAsyncAuthorization, updateAsyncAuthorization } from "@/db/queries/async-authorizations";
import type { ToolContext, ToolFailure } from "@/lib/ai/tools/context";
import { getConfig } from "@/lib/config";
import { INTERRUPT_NAME, type AsyncAuthorizationPending, type InterruptedOutput } from "./interrupts";
import { IssuerUnavailableError, OAuthError, providerMetadata, requestBackchannelAuthentication, requestToken } from "./oauth";

/**
 * The async authorization (CIBA) authorizer, non-blocking: the first run of a tool call asks the identity
 * server to get the user's approval on their own device and finishes with a pending interrupt; each later run
 * of the same call (a resume) polls at most once, honouring `interval` and `slow_down`. The work runs only with
 * the access token the approval yields — one approval per tool call, never reused.
 */
const CIBA_GRANT = "urn:openid:params:grant-type:ciba";
const DEFAULT_INTERVAL_SECONDS = 5; // the CIBA spec's default when the server names none

export interface AsyncAuthorizationOptions<INPUT> {
  audience: string;
  scopes: string[];
  /** At most 64 characters of letters, digits, spaces and + - _ . , : # (Auth0's rules). */
  bindingMessage: (input: INPUT) => string;
  authorizationDetails: (input: INPUT) => Record<string, unknown>[];
}

export function withAsyncAuthorization<INPUT, OUTPUT>(
  context: ToolContext,
  options: AsyncAuthorizationOptions<INPUT>,
  work: (input: INPUT, accessToken: string, toolCallId: string) => Promise<OUTPUT>,
): (input: INPUT, execution: { toolCallId: string }) => Promise<OUTPUT | InterruptedOutput | ToolFailure> {
  const userId = context.user.sub;
  const { chatId } = context;
  return async (input, { toolCallId }) => {
    const key = { chatId, toolCallId, userId };
    let approvedInput = input;
    const pending = (expiresAt: Date, interval: number): InterruptedOutput => ({
      interrupt: pendingInterrupt(options, approvedInput, expiresAt, interval),
    });
    try {
      const row = await findAsyncAuthorization(key);
      if (!row) {
        const request = await requestBackchannelAuthentication({
          login_hint: JSON.stringify({ format: "iss_sub", iss: (await providerMetadata()).issuer, sub: userId }),
          scope: ["openid", ...options.scopes].join(" "),
          audience: options.audience,
          binding_message: options.bindingMessage(input),
          authorization_details: JSON.stringify(options.authorizationDetails(input)),
          requested_expiry: String(getConfig().ASYNC_AUTHORIZATION_EXPIRY_SECONDS),
        });
        const interval = request.interval ?? DEFAULT_INTERVAL_SECONDS;
        const expiresAt = new Date(Date.now() + request.expires_in * 1000);
        await insertAsyncAuthorization({
          chatId,
          toolCallId,
          userId,
          authReqId: request.auth_req_id,
          authorizedInput: input,
          expiresAt,
          intervalSeconds: interval,
          nextPollAt: new Date(Date.now() + interval * 1000),
          status: "pending",
        });
        return pending(expiresAt, interval);
      }

      approvedInput = row.authorizedInput as INPUT;
      if (row.status === "cancelled") return { error: "The user cancelled this request in the chat. Nothing was done." };
      if (row.status === "denied") return { error: "The user declined this request on their device. Nothing was done." };
      if (row.status === "approved") return { error: "This request was already approved and carried out once." };
      if (row.status !== "pending" || row.expiresAt.getTime() <= Date.now()) {
        await updateAsyncAuthorization(key, { status: "expired" });
        return { error: "The approval request expired before the user answered. Nothing was done." };
      }
      if (row.nextPollAt.getTime() > Date.now()) return pending(row.expiresAt, row.intervalSeconds);

      try {
        const tokens = await requestToken({ grant_type: CIBA_GRANT, auth_req_id: row.authReqId });
        await updateAsyncAuthorization(key, { status: "approved" });
        return await work(approvedInput, tokens.access_token, toolCallId);
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        switch (error.error) {
          case "authorization_pending":
            await updateAsyncAuthorization(key, { nextPollAt: new Date(Date.now() + row.intervalSeconds * 1000) });
            return pending(row.expiresAt, row.intervalSeconds);
          case "slow_down": {
            const interval = row.intervalSeconds + 5; // RFC 8628 §3.5, which CIBA adopts
            await updateAsyncAuthorization(key, { intervalSeconds: interval, nextPollAt: new Date(Date.now() + interval * 1000) });
            return pending(row.expiresAt, interval);
          }
          case "access_denied":
            await updateAsyncAuthorization(key, { status: "denied" });
            return { error: "The user declined this request on their device. Nothing was done." };
          case "expired_token":
            await updateAsyncAuthorization(key, { status: "expired" });
            return { error: "The approval request expired before the user answered. Nothing was done." };
          default:
            await updateAsyncAuthorization(key, { status: "failed" });
            console.error(`[async-authorization] poll failed: ${error.error}`);
            return { error: "The approval request failed at the identity service. Nothing was done." };
        }
      }
    } catch (error) {
      if (error instanceof OAuthError) {
        console.error(`[async-authorization] request refused: ${error.message}`);
        return { error: `The identity service refused the approval request (${error.error}). Nothing was done.` };
      }
      if (error instanceof IssuerUnavailableError) {
        console.error(`[async-authorization] ${error.message}`);
        return { error: "Could not reach the identity service to ask for approval. Nothing was done." };
      }
      throw error;
    }
  };
}

function pendingInterrupt<INPUT>(
  options: AsyncAuthorizationOptions<INPUT>,
  input: INPUT,
  expiresAt: Date,
  interval: number,
): AsyncAuthorizationPending {
  return {
    name: INTERRUPT_NAME,
    code: "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING",
    bindingMessage: options.bindingMessage(input),
    authorizationDetails: options.authorizationDetails(input),
    request: { expiresAt: expiresAt.toISOString(), interval },
    message: "Approve this request on your device to continue.",
    approvalUrl: getConfig().ASYNC_AUTHORIZATION_APPROVAL_URL,
  };
}

/** The user pressed Cancel in the chat: the request is never polled again, so a late approval does nothing. */
export async function cancelAsyncAuthorization(key: { chatId: string; toolCallId: string; userId: string }) {
  const row = await findAsyncAuthorization(key);
  if (row?.status === "pending") await updateAsyncAuthorization(key, { status: "cancelled" });
}
