"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { cn } from "@/components/ui/cn";
import { announceChatsChanged, announceNewChat, CHATS_CHANGED_EVENT } from "@/lib/chat/events";
import { ApiError, fetchOrThrow } from "@/lib/errors";

interface ChatSummary {
  id: string;
  title: string;
}

async function fetchChats(): Promise<ChatSummary[]> {
  const response = await fetchOrThrow("/api/chats", { cache: "no-store" });
  return ((await response.json()) as { chats: ChatSummary[] }).chats;
}

export function ChatList() {
  const [chats, setChats] = useState<ChatSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pathname = usePathname();
  const router = useRouter();

  useEffect(() => {
    const load = () =>
      fetchChats().then(
        (list) => {
          setChats(list);
          setError(null);
        },
        (e: unknown) => setError(e instanceof ApiError ? e.message : "Could not load your chats."),
      );
    void load();
    window.addEventListener(CHATS_CHANGED_EVENT, load);
    return () => window.removeEventListener(CHATS_CHANGED_EVENT, load);
  }, []);

  async function remove(chat: ChatSummary) {
    try {
      await fetchOrThrow(`/api/chats/${chat.id}`, { method: "DELETE" });
      if (pathname === `/chat/${chat.id}`) {
        announceNewChat(); // the open chat may be the new-chat page's own, kept mounted by the router
        router.push("/");
      }
      announceChatsChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not delete the chat.");
    }
  }

  return (
    <nav aria-label="Chat history" className="flex-1 overflow-y-auto px-2">
      {error && (
        <p role="alert" className="px-2 py-1 text-sm text-red-700">
          {error}
        </p>
      )}
      {chats?.length === 0 && <p className="px-2 py-1 text-sm text-zinc-500">No chats yet.</p>}
      <ul className="space-y-0.5">
        {chats?.map((chat) => {
          const current = pathname === `/chat/${chat.id}`;
          return (
            <li key={chat.id} className={cn("group flex items-center rounded-md", current ? "bg-zinc-100" : "hover:bg-zinc-100")}>
              <Link
                href={`/chat/${chat.id}`}
                aria-current={current ? "page" : undefined}
                className="min-w-0 flex-1 truncate px-2 py-1.5 text-sm"
              >
                {chat.title}
              </Link>
              <ConfirmDialog
                trigger={
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Delete chat “${chat.title}”`}
                    className="px-2 text-zinc-600 hover:text-red-700 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100"
                  >
                    <span aria-hidden>×</span>
                  </Button>
                }
                title="Delete this chat?"
                description={`“${chat.title}” and its messages will be deleted. This cannot be undone.`}
                confirmLabel="Delete chat"
                onConfirm={() => remove(chat)}
              />
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
