import { z } from "zod";
import { deleteChat, renameChat } from "@/db/queries/chats";
import { getCurrentUser } from "@/lib/auth/session";
import { chatNameSchema } from "@/lib/chat/chat-name";
import { apiError } from "@/lib/errors";
import { capBody } from "@/lib/http/capped-body";

type Params = { params: Promise<{ id: string }> };

/** `PATCH /api/chats/<id>`: `{ "title": "…" }` renames the chat; the name the user gives is kept from then on. */
const renameSchema = z.object({ title: chatNameSchema }, { error: 'Send { "title": "…" } with the chat\'s new name.' });
/** A name at the length limit, every character a surrogate pair written as `\u` escapes, is about 1.2 KB. */
const MAX_BODY_BYTES = 4 * 1024;

// Someone else's chat id is answered exactly like a missing or malformed one.
const chatNotFound = () => apiError("not_found", "Chat not found.");

export async function PATCH(request: Request, { params }: Params) {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return chatNotFound();
  const { body, exceeded } = capBody(request, MAX_BODY_BYTES);
  const parsed = renameSchema.safeParse(await body.json().catch(() => undefined));
  if (exceeded()) return apiError("payload_too_large", `The request is larger than ${MAX_BODY_BYTES / 1024} KB.`);
  if (!parsed.success) return apiError("bad_request", parsed.error.issues[0]?.message ?? "Send the chat's new name.");
  const { title } = parsed.data;
  if (!(await renameChat({ id, userId: user.sub, title }))) return chatNotFound();
  return Response.json({ id, title });
}

export async function DELETE(_request: Request, { params }: Params) {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return chatNotFound();
  if (!(await deleteChat({ id, userId: user.sub }))) return chatNotFound();
  return new Response(null, { status: 204 });
}
