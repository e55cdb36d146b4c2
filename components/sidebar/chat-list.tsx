"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { cn } from "@/components/ui/cn";
import { announceChatsChanged, announceNewChat, CHATS_CHANGED_EVENT } from "@/lib/chat/events";
import { ApiError, fetchOrThrow } from "@/lib/errors";
import { ChatMenu, type ChatAction } from "./chat-menu";
import { RenameChatDialog } from "./rename-chat-dialog";

interface ChatSummary {
  id: string;
  title: string;
}

/** The dialog a chat's menu opened, with what focus needs once it closes: the menu's trigger, the chat's place. */
interface OpenAction {
  kind: ChatAction;
  chat: ChatSummary;
  trigger: HTMLElement | null;
  index: number;
  open: boolean;
}

async function fetchChats(): Promise<ChatSummary[]> {
  const response = await fetchOrThrow("/api/chats", { cache: "no-store" });
  return ((await response.json()) as { chats: ChatSummary[] }).chats;
}

export function ChatList() {
  const [chats, setChats] = useState<ChatSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [action, setAction] = useState<OpenAction | null>(null);
  const nav = useRef<HTMLElement>(null);
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

  const setOpen = (open: boolean) => setAction((current) => current && { ...current, open });

  function renamed(id: string, title: string) {
    setChats((list) => list?.map((chat) => (chat.id === id ? { ...chat, title } : chat)) ?? null);
    announceChatsChanged(); // the other copy of the list (the drawer's or the column's)
  }

  async function remove(chat: ChatSummary) {
    try {
      await fetchOrThrow(`/api/chats/${chat.id}`, { method: "DELETE" });
      setChats((list) => list?.filter((each) => each.id !== chat.id) ?? null);
      if (pathname === `/chat/${chat.id}`) {
        announceNewChat(); // the open chat may be the new-chat page's own, kept mounted by the router
        router.push("/");
      }
      announceChatsChanged();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not delete the chat.");
    }
  }

  /** Focus goes back to the chat's menu, or after a delete to the chat that took its place (or the list itself). */
  function menuTrigger(): HTMLElement | null {
    if (!action) return null;
    if (action.trigger?.isConnected) return action.trigger;
    const links = nav.current?.querySelectorAll<HTMLElement>("li > a") ?? [];
    return links[Math.min(action.index, links.length - 1)] ?? nav.current;
  }

  return (
    <nav ref={nav} aria-label="Chat history" tabIndex={-1} className="flex-1 overflow-y-auto px-2 focus:outline-none">
      {error && (
        <p role="alert" className="px-2 py-1 text-sm text-red-700">
          {error}
        </p>
      )}
      {chats?.length === 0 && <p className="px-2 py-1 text-sm text-zinc-600">No chats yet.</p>}
      <ul className="space-y-0.5">
        {chats?.map((chat, index) => {
          const current = pathname === `/chat/${chat.id}`;
          return (
            <li key={chat.id} className={cn("group flex items-center rounded-md", current ? "bg-zinc-100" : "hover:bg-zinc-100")}>
              <Link href={`/chat/${chat.id}`} aria-current={current ? "page" : undefined} className="min-w-0 flex-1 truncate px-2 py-1.5 text-sm">
                {chat.title}
              </Link>
              <ChatMenu title={chat.title} current={current} onAction={(kind, trigger) => setAction({ kind, chat, trigger, index, open: true })} />
            </li>
          );
        })}
      </ul>
      {action?.kind === "rename" && (
        <RenameChatDialog
          key={action.chat.id}
          chat={action.chat}
          open={action.open}
          onOpenChange={setOpen}
          onRenamed={(title) => renamed(action.chat.id, title)}
          returnFocusTo={menuTrigger}
        />
      )}
      {action?.kind === "delete" && (
        <ConfirmDialog
          open={action.open}
          onOpenChange={setOpen}
          focusAfterConfirm={menuTrigger}
          returnFocusTo={menuTrigger}
          title="Delete this chat?"
          description={`“${action.chat.title}” and its messages will be deleted. This cannot be undone.`}
          confirmLabel="Delete chat"
          onConfirm={() => remove(action.chat)}
        />
      )}
    </nav>
  );
}
