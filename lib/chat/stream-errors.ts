import { APICallError } from "ai";
import { StalledAnswerError } from "@/lib/http/idle-timeout";
import { logError } from "@/lib/log";

/**
 * What the chat shows when a reply fails part-way. The details go to the server log only: provider errors can
 * carry request bodies, and those can carry the user's data.
 */
const MODEL_INTERRUPTED = "The connection to the model service was interrupted. Try again in a moment.";
const MODEL_SILENT = "The model service stopped answering, so the reply was given up on. Try again in a moment.";
const GENERIC = "Something went wrong while generating the reply. Try again in a moment.";
const modelRefused = (status: number) => `The model service refused the request (HTTP ${status}). Try again in a moment.`;

export function describeStreamError(error: unknown): string {
  // The UI stream reports each error chunk once more, rebuilt from the text this function already produced.
  if (error instanceof Error && isDescription(error.message)) return error.message;
  logError("chat", "reply failed", error);
  // Given up on by lib/model.ts's idle timeout: thrown as is before the answer starts, as a cause after.
  if (error instanceof StalledAnswerError || (error instanceof Error && error.cause instanceof StalledAnswerError)) return MODEL_SILENT;
  if (APICallError.isInstance(error))
    return error.statusCode && error.statusCode >= 400 ? modelRefused(error.statusCode) : MODEL_INTERRUPTED;
  return GENERIC;
}

function isDescription(text: string): boolean {
  return text === MODEL_INTERRUPTED || text === MODEL_SILENT || text === GENERIC || /^The model service refused the request \(HTTP \d+\)/.test(text);
}
