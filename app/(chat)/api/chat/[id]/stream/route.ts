import { createUIMessageStreamResponse } from "ai";
import { z } from "zod";
import { getActiveStream, requestStop } from "@/db/queries/chat-streams";
import { getCurrentUser } from "@/lib/auth/session";
import { replayStream } from "@/lib/chat/resumable-stream";
import { apiError } from "@/lib/errors";

// A replay follows its reply to the end; the reply runs under the chat route's maxDuration, and so may this.
export const maxDuration = 60;

/**
 * The chat's reply still being generated, from its first chunk (the browser rebuilds the message from the whole
 * replay), then live until it ends; 204 when none is running. Served from the database alone, so it works from
 * whichever instance the reload reaches.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owner = await chatOwner(params);
  if (owner instanceof Response) return owner;
  const streamId = await getActiveStream(owner);
  if (!streamId) return new Response(null, { status: 204 });
  return createUIMessageStreamResponse({ stream: replayStream(streamId) });
}

/** The user's Stop: the browser's own request no longer ends a reply, so the instance generating it is told here. */
export async function DELETE(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owner = await chatOwner(params);
  if (owner instanceof Response) return owner;
  if (!(await requestStop(owner))) return apiError("not_found", "Chat not found.");
  return new Response(null, { status: 204 });
}

async function chatOwner(params: Promise<{ id: string }>): Promise<{ chatId: string; userId: string } | Response> {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return apiError("not_found", "Chat not found.");
  return { chatId: id, userId: user.sub };
}
