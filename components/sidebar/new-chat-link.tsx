"use client";

import Link from "next/link";
import { announceNewChat } from "@/lib/chat/events";

/** "New chat": a client navigation to the new-chat page, which starts a fresh chat even when it is already mounted. */
export function NewChatLink(props: Omit<React.ComponentProps<typeof Link>, "href">) {
  return (
    <Link
      href="/"
      {...props}
      onClick={(event) => {
        props.onClick?.(event);
        announceNewChat();
      }}
    >
      New chat
    </Link>
  );
}
