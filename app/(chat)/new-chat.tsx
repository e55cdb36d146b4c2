"use client";

import { useEffect, useState } from "react";
import { Chat } from "@/components/chat/chat";
import { NEW_CHAT_EVENT } from "@/lib/chat/events";

/**
 * The chat of the new-chat page. Its id comes from the server; every "New chat" replaces it with a fresh one and
 * remounts the chat, because a chat begun here only replaced the URL and the client router may keep this page.
 */
export function NewChat({ initialId }: { initialId: string }) {
  const [id, setId] = useState(initialId);
  useEffect(() => {
    const startOver = () => setId(crypto.randomUUID());
    window.addEventListener(NEW_CHAT_EVENT, startOver);
    return () => window.removeEventListener(NEW_CHAT_EVENT, startOver);
  }, []);
  return <Chat key={id} id={id} initialMessages={[]} />;
}
