import { getCurrentUser } from "@/lib/auth/session";
import { NewChat } from "./new-chat";

export default async function NewChatPage() {
  if (!(await getCurrentUser())) return null; // the layout shows the landing page
  return <NewChat initialId={crypto.randomUUID()} />;
}
