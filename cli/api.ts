import type { ApprovalsRequest, ResumeRequest, SendMessageRequest } from "@/lib/chat/request";
import { loginCommand, unreachable } from "./app";
import { CliError } from "./errors";
import type { Session } from "./session";

/** The three requests a terminal turn makes (lib/chat/request.ts): a message, a resumed call, answers to approvals. */
export type ChatRequestBody = SendMessageRequest | ResumeRequest | ApprovalsRequest;

/**
 * POSTs to the chat API with the user's access token and returns the reply's event stream. A token the server
 * refuses is renewed once and the request sent again (it may have been revoked or expired early); any other
 * refusal becomes a one-line CliError.
 */
export async function postChat(session: Session, body: ChatRequestBody): Promise<ReadableStream<Uint8Array>> {
  const send = async (force: boolean) =>
    fetch(new URL("/api/chat", session.origin), {
      method: "POST",
      headers: { authorization: `Bearer ${await session.accessToken({ force })}`, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
    }).catch((error: unknown) => {
      throw unreachable(session.origin, error);
    });
  let response = await send(false);
  if (response.status === 401 && (await session.credential()).refreshToken) response = await send(true);
  if (!response.ok || !response.body) throw await refusal(response, session.origin);
  return response.body;
}

/** The API's refusal as one line: its own message, and what to do about it. */
export async function refusal(response: Response, origin: string): Promise<CliError> {
  const message = await errorMessage(response);
  switch (response.status) {
    case 401:
      return new CliError(`Delegate did not accept your sign-in${message ? ` (${message})` : ""}. Run \`${loginCommand(origin)}\`.`);
    case 403:
      return new CliError(`Not allowed: ${message ?? "your sign-in lacks the chat permission"}. Run \`${loginCommand(origin)}\` again.`);
    case 429:
      return new CliError(`Too many requests: ${message ?? `try again in ${response.headers.get("retry-after") ?? "a few"} seconds`}`);
    case 503:
      return new CliError(`Delegate is unavailable: ${message ?? "try again in a moment"}`);
    default:
      return new CliError(message ?? `Delegate answered HTTP ${response.status}.`);
  }
}

/**
 * The message in either of the API's error shapes: the app's `{ error: { code, message } }` (lib/errors.ts) or a
 * bearer refusal's `{ error, error_description }` (RFC 6750).
 */
async function errorMessage(response: Response): Promise<string | undefined> {
  const body = (await response.json().catch(() => null)) as { error?: unknown; error_description?: unknown } | null;
  const error = body?.error;
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") return (error as { message: string }).message;
  if (typeof body?.error_description === "string") return body.error_description;
  return typeof error === "string" ? error : undefined;
}
