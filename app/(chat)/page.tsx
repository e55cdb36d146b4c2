import { Chat } from "@/components/chat/chat";
import { getCurrentUser } from "@/lib/auth/session";

export default async function NewChatPage() {
  if (!(await getCurrentUser())) return null; // the layout shows the landing page
  const id = crypto.randomUUID();
  return <Chat key={id} id={id} initialMessages={[]} />;
}
