import { NotFoundMessage } from "@/components/not-found-message";

export default function ChatNotFound() {
  return <NotFoundMessage title="Chat not found" explanation="It does not exist, or it belongs to someone else." />;
}
