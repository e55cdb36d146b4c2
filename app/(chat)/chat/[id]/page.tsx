import { notFound } from "next/navigation";
import { z } from "zod";
import { Chat } from "@/components/chat/chat";
import { getChat, getMessages } from "@/db/queries/chats";
import type { ChatMessage } from "@/lib/ai/types";
import { getCurrentUser } from "@/lib/auth/session";

export default async function ChatPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return null; // the layout shows the landing page
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const chat = await getChat({ id, userId: user.sub });
  if (!chat) notFound();
  return <Chat key={id} id={id} initialMessages={await getMessages<ChatMessage>({ chatId: id })} />;
}
