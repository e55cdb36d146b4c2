import { listChats } from "@/db/queries/chats";
import { getCurrentUser } from "@/lib/auth/session";
import { apiError } from "@/lib/errors";

export async function GET() {
  const user = await getCurrentUser();
  if (!user) return apiError("unauthorized", "Sign in to see your chats.");
  return Response.json({ chats: await listChats({ userId: user.sub }) });
}
