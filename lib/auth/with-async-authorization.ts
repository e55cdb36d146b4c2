import "server-only";
import {
  findAsyncAuthorization,
  forgetApprovedAsyncAuthorization,
  releaseAsyncAuthorization,
  reserveAsyncAuthorization,
  updateAsyncAuthorization,
} from "@/db/queries/async-authorizations";
import { isToolFailure, type ToolContext, type ToolFailure } from "@/lib/auth/tool-context";
import { getConfig } from "@/lib/config";
import { withRetries } from "@/lib/http/retry";
import { logError } from "@/lib/log";
import { takeRateLimit } from "@/lib/rate-limit";
import { BAD_AUTHORIZATION_DETAILS, BAD_BINDING_MESSAGE, isRateLimited, refusalMessage } from "./async-authorization-refusals";
import type { Authorizer, AuthorizerCall, Grant } from "./authorizer";
import { isValidBindingMessage } from "./binding-message";
import {
  asyncAuthorizationPendingSchema,
  INTERRUPT_NAME,
  type AsyncAuthorizationPending,
  type GuardianAuthorizationDetail,
  type InterruptedOutput,
  isInterruptedOutput,
} from "./interrupts";
import { IssuerUnavailableError, OAuthError, providerMetadata, requestBackchannelAuthentication, requestToken } from "./oauth";

/**
 * The async authorization (CIBA) authorizer, non-blocking: the first run of a tool call asks the identity
 * server to get the user's approval on their own device and finishes with a pending interrupt; each later run
 * of the same call (a resume) polls at most once, honouring `interval` and `slow_down`. The work runs only with
 * the access token the approval yields — one approval per tool call, never reused. Each request reaches the
 * user's phone, so a chat has at most one waiting at a time and each user a few an hour.
 */
const CIBA_GRANT = "urn:openid:params:grant-type:ciba";
const DEFAULT_INTERVAL_SECONDS = 5; // the CIBA spec's default when the server names none
/** Whole-second timestamps at the identity server plus a little clock skew. */
const EXPIRY_MARGIN_MS = 2_000;

export interface AsyncAuthorizationOptions<INPUT> {
  audience: string;
  scopes: string[];
  /** Auth0's rules apply (see binding-message.ts); build it with `bindingMessage()`. */
  bindingMessage: (input: INPUT) => string;
  /** The one authorization detail Auth0 Guardian accepts (see interrupts.ts), as what the user approves. */
  authorizationDetails: (input: INPUT) => [GuardianAuthorizationDetail];
}

type Key = { chatId: string; toolCallId: string; userId: string };

/** What the device will be asked, known before the request is sent (its auth_req_id is not). */
export interface ApprovalRequest {
  bindingMessage: string;
  authorizationDetails: [GuardianAuthorizationDetail];
  requestedExpirySeconds: number;
}

export function withAsyncAuthorization<INPUT, OUTPUT>(
  context: ToolContext,
  options: AsyncAuthorizationOptions<INPUT>,
  work: (input: INPUT, accessToken: string, toolCallId: string) => Promise<OUTPUT>,
  /**
   * Runs just before a request is sent to the user's device, and the request is not sent if it throws: the audit
   * trail records what will be asked before the phone shows it.
   */
  beforeRequest: (request: ApprovalRequest) => Promise<void> = async () => {},
): (input: INPUT, execution: { toolCallId: string }) => Promise<OUTPUT | InterruptedOutput | ToolFailure> {
  const userId = context.user.sub;
  const { chatId } = context;
  return async (input, { toolCallId }) => {
    const key = { chatId, toolCallId, userId };
    try {
      const row = await findAsyncAuthorization(key);
      if (!row) return await requestApproval(key, options, input, beforeRequest);

      const approvedInput = row.authorizedInput as INPUT;
      const pending = (interval: number): InterruptedOutput => ({
        interrupt: pendingInterrupt(options, approvedInput, row.expiresAt, interval),
      });
      const expire = async (): Promise<ToolFailure> => {
        await updateAsyncAuthorization(key, { status: "expired" });
        return { error: EXPIRED };
      };
      if (row.status === "cancelled") return { error: CANCELLED };
      if (row.status === "denied") return { error: DENIED };
      if (row.status === "expired") return { error: EXPIRED };
      if (row.status === "approved") {
        // The call runs again only when the run that collected the token never finished (its instance died; the
        // claim's lease ran out), so whether the work happened is unknown and the token is spent. Ask the device
        // once more: tools behind this authorizer are idempotent per call (the shop's Idempotency-Key is the call),
        // so the second approval completes the work or finds it done, never does it twice.
        await forgetApprovedAsyncAuthorization(key);
        return await requestApproval(key, options, approvedInput, beforeRequest, UNFINISHED_APPROVAL);
      }
      if (row.status !== "pending") return { error: "The approval request failed at the identity service. Nothing was done." };
      const expired = row.expiresAt.getTime() <= Date.now();
      // Never sooner than the interval after the last poll. Past the expiry, the one poll still due asks the
      // identity server for the last word: an approval given in the final seconds still counts.
      if (!row.authReqId || row.nextPollAt.getTime() > Date.now()) return expired ? await expire() : pending(row.intervalSeconds);

      try {
        const tokens = await requestToken({ grant_type: CIBA_GRANT, auth_req_id: row.authReqId });
        await updateAsyncAuthorization(key, { status: "approved" });
        return await work(approvedInput, tokens.access_token, toolCallId);
      } catch (error) {
        if (!(error instanceof OAuthError)) throw error;
        const waitFor = async (interval: number, wait = interval) => {
          await updateAsyncAuthorization(key, { intervalSeconds: interval, nextPollAt: new Date(Date.now() + wait * 1000) });
          return pending(wait);
        };
        if (isRateLimited(error)) {
          // The request is still alive: check again once the service allows, without lengthening the interval.
          return await waitFor(row.intervalSeconds, Math.max(error.retryAfterSeconds ?? row.intervalSeconds, row.intervalSeconds));
        }
        switch (error.error) {
          case "authorization_pending":
            return await waitFor(row.intervalSeconds);
          case "slow_down":
            // Auth0 names the wait in Retry-After and lengthens it while a client polls too fast; a server that
            // names none gets RFC 8628 §3.5's five seconds more (CIBA adopts it). Either way it only grows.
            return await waitFor(Math.max(error.retryAfterSeconds ?? row.intervalSeconds + 5, row.intervalSeconds));
          case "access_denied":
            // Auth0 answers access_denied both for a denial and for a request that expired ("Check Back-Channel
            // Login Status"); the request's own lifetime tells them apart. expiresAt was counted from before the
            // request was sent, but the identity server keeps time in whole seconds, so its expiry can come up to a
            // second sooner. A denial in that margin, or in the last interval and first seen after the expiry,
            // reads as an expiry: Auth0's answer cannot tell them apart.
            if (Date.now() >= row.expiresAt.getTime() - EXPIRY_MARGIN_MS) return await expire();
            await updateAsyncAuthorization(key, { status: "denied" });
            return { error: DENIED };
          case "expired_token":
            return await expire();
          default:
            await updateAsyncAuthorization(key, { status: "failed" });
            logError("async-authorization", "poll failed", error);
            return { error: "The approval request failed at the identity service. Nothing was done." };
        }
      }
    } catch (error) {
      if (error instanceof IssuerUnavailableError) {
        logError("async-authorization", "identity service unreachable", error);
        return { error: "Could not reach the identity service to ask for approval. Nothing was done." };
      }
      throw error;
    }
  };
}

const UNFINISHED_APPROVAL =
  "The server carrying out your earlier approval stopped before it finished. Approve once more on your device to complete it; it will not be done twice.";
const CANCELLED = "The user cancelled this request in the chat. Nothing was done.";
const DENIED = "The user declined this request on their device. Nothing was done.";
const EXPIRED = "The approval request expired before the user answered it. Nothing was done.";

/** The call's first run: asks the user's device for approval, unless the chat or the user's allowance forbids it. */
async function requestApproval<INPUT>(
  key: Key,
  options: AsyncAuthorizationOptions<INPUT>,
  input: INPUT,
  beforeRequest: (request: ApprovalRequest) => Promise<void>,
  message?: string,
): Promise<InterruptedOutput | ToolFailure> {
  const bindingMessage = options.bindingMessage(input);
  if (!isValidBindingMessage(bindingMessage)) {
    logError("async-authorization", "binding message breaks Auth0's rules");
    return { error: `${BAD_BINDING_MESSAGE} No approval request was sent and nothing was done.` };
  }
  const authorizationDetails = options.authorizationDetails(input);
  if (!asyncAuthorizationPendingSchema.shape.authorizationDetails.safeParse(authorizationDetails).success) {
    logError("async-authorization", "authorization_details break Auth0 Guardian's schema");
    return { error: `${BAD_AUTHORIZATION_DETAILS} No approval request was sent and nothing was done.` };
  }
  const requestedExpiry = getConfig().ASYNC_AUTHORIZATION_EXPIRY_SECONDS;
  const reservation = await reserveAsyncAuthorization({
    ...key,
    authorizedInput: input,
    expiresAt: new Date(Date.now() + requestedExpiry * 1000),
    intervalSeconds: DEFAULT_INTERVAL_SECONDS,
  });
  if (!reservation.reserved) {
    const minutes = Math.max(1, Math.ceil((reservation.pendingUntil.getTime() - Date.now()) / 60_000));
    return {
      error: `Another request in this chat is still waiting for the user's approval, and only one can wait at a time. The user can answer or cancel that one first, or ask again when it expires in at most ${minutes} minute${minutes === 1 ? "" : "s"}. No new request was sent and nothing was done.`,
    };
  }
  try {
    const allowance = await takeRateLimit(key.userId, "approval_request");
    if (!allowance.allowed) {
      await releaseAsyncAuthorization(key);
      return { error: `${allowance.message} No approval request was sent and nothing was done.` };
    }
    const loginHint = JSON.stringify({ format: "iss_sub", iss: (await providerMetadata()).issuer, sub: key.userId });
    await beforeRequest({ bindingMessage, authorizationDetails, requestedExpirySeconds: requestedExpiry });
    const sentAt = Date.now();
    const request = await withRetries(
      () =>
        requestBackchannelAuthentication({
          login_hint: loginHint,
          scope: ["openid", ...options.scopes].join(" "),
          audience: options.audience,
          binding_message: bindingMessage,
          authorization_details: JSON.stringify(authorizationDetails),
          requested_expiry: String(requestedExpiry),
        }),
      // A refused request was not created, so asking again cannot reach the phone twice.
      { retryable: (error) => error instanceof OAuthError && isRateLimited(error) && (error.retryAfterSeconds ?? true) },
    );
    const interval = request.interval ?? DEFAULT_INTERVAL_SECONDS;
    const expiresAt = new Date(sentAt + request.expires_in * 1000);
    await updateAsyncAuthorization(key, {
      authReqId: request.auth_req_id,
      expiresAt,
      intervalSeconds: interval,
      nextPollAt: new Date(Date.now() + interval * 1000),
    });
    return { interrupt: pendingInterrupt(options, input, expiresAt, interval, message) };
  } catch (error) {
    await releaseAsyncAuthorization(key);
    if (!(error instanceof OAuthError)) throw error;
    logError("async-authorization", "request refused", error);
    const [{ type: detailsType }] = authorizationDetails;
    return { error: `${refusalMessage(error, { audience: options.audience, scopes: options.scopes, detailsType })} No approval request was sent and nothing was done.` };
  }
}

function pendingInterrupt<INPUT>(
  options: AsyncAuthorizationOptions<INPUT>,
  input: INPUT,
  expiresAt: Date,
  interval: number,
  message = "Approve this request on your device to continue.",
): AsyncAuthorizationPending {
  return {
    name: INTERRUPT_NAME,
    code: "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING",
    bindingMessage: options.bindingMessage(input),
    authorizationDetails: options.authorizationDetails(input),
    request: { expiresAt: expiresAt.toISOString(), interval },
    message,
    approvalUrl: getConfig().ASYNC_AUTHORIZATION_APPROVAL_URL,
  };
}

/**
 * CIBA as an authorizer of the pipeline. `options` is read at each call (a deployment's shop audience comes from
 * its configuration). Every step is recorded, each before it is acted on: the request, with the exact binding
 * message and details the device will show, before it is sent (a request that cannot be recorded never reaches the
 * phone); then, with the CIBA request id, that the call waits for the device's answer, and granted, denied, expired
 * or cancelled. The tool must hand it an `APPROVED` (its declaration's `prepare` returns one): the options describe
 * that input to the user.
 */
export function asyncApproval<APPROVED>(options: () => AsyncAuthorizationOptions<APPROVED>): Authorizer {
  return {
    kind: "async-approval",
    label: "your approval on your phone, each time",
    async authorize<INPUT, OUTPUT>(call: AuthorizerCall<INPUT>, next: (grant: Grant<INPUT>) => Promise<OUTPUT>) {
      const resolved = options() as unknown as AsyncAuthorizationOptions<INPUT>;
      const settings = { audience: resolved.audience, scopes: resolved.scopes };
      const evidence = async () => ({ ...settings, authReqId: (await findAsyncAuthorization(keyOf(call)))?.authReqId ?? null });
      let granted = false;
      const answer = await withAsyncAuthorization(
        call.context,
        resolved,
        async (input: INPUT, accessToken) => {
          granted = true;
          await call.decide({ authorizer: "async-approval", decision: "granted", evidence: await evidence() });
          return next({ input, accessToken });
        },
        (request) => call.decide({ authorizer: "async-approval", decision: "requested", evidence: { ...settings, ...request } }),
      )(call.input, call);
      if (granted) return answer;
      if (isInterruptedOutput(answer) && answer.interrupt.code === "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING") {
        const { bindingMessage, request } = answer.interrupt;
        try {
          await call.decide({ authorizer: "async-approval", decision: "interrupted", evidence: { ...(await evidence()), bindingMessage, expiresAt: request.expiresAt } });
        } catch (error) {
          // The request is on the device, but the call cannot wait for it unrecorded: it is cancelled, so an
          // approval given there does nothing and the chat's next request is not blocked by it.
          await cancelAsyncAuthorization(keyOf(call)).catch((cancelError: unknown) => logError("async-authorization", "cancelling an unrecorded request failed", cancelError));
          throw error;
        }
      } else if (isToolFailure(answer)) await call.decide({ authorizer: "async-approval", decision: refusalKind(answer.error), evidence: { ...(await evidence()), message: answer.error } });
      return answer;
    },
    cancel: (call) => cancelAsyncAuthorization({ chatId: call.context.chatId, toolCallId: call.toolCallId, userId: call.context.user.sub }),
  };
}

const keyOf = (call: AuthorizerCall<unknown>): Key => ({ chatId: call.context.chatId, toolCallId: call.toolCallId, userId: call.context.user.sub });

const refusalKind = (message: string) => (message === DENIED ? "denied" : message === EXPIRED ? "expired" : message === CANCELLED ? "cancelled" : "refused");

/** The user pressed Cancel in the chat: the request is never polled again, so a late approval does nothing. */
export async function cancelAsyncAuthorization(key: Key) {
  const row = await findAsyncAuthorization(key);
  if (row?.status === "pending") await updateAsyncAuthorization(key, { status: "cancelled" });
}
