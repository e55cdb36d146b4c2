import { z } from "zod";
import { deleteChat } from "@/db/queries/chats";
import { getCurrentUser } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";

export async function DELETE(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Your session has expired. Sign in again.");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) return apiError("not_found", "Chat not found.");
  if (!(await deleteChat({ id, userId: user.sub }))) return apiError("not_found", "Chat not found.");
  return new Response(null, { status: 204 });
}
