import Link from "next/link";
import { Landing } from "@/components/landing";
import { SandboxBadge } from "@/components/sandbox-badge";
import { ChatList } from "@/components/sidebar/chat-list";
import { getCurrentUser } from "@/lib/auth/session";

// Every page here depends on the signed-in user.
export const dynamic = "force-dynamic";

export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user) return <Landing />;
  return (
    <div className="flex h-full">
      {/* On a phone the sidebar would leave no room for the page; the header's menu takes its place there. */}
      <aside className="hidden w-64 shrink-0 flex-col border-r border-zinc-200 bg-white md:flex" aria-label="Chats">
        <div className="flex items-center justify-between px-4 py-3">
          <span className="font-semibold">Delegate</span>
          {/* A full load, not a client navigation: the client router may reuse the cached page and its chat id. */}
          {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
          <a href="/" className="rounded-md border border-zinc-300 px-2 py-1 text-sm hover:bg-zinc-100">
            New chat
          </a>
        </div>
        <ChatList />
        <nav aria-label="Settings" className="flex flex-col border-t border-zinc-200 text-sm">
          <Link href="/documents" className="px-4 py-2 hover:bg-zinc-50">
            Documents
          </Link>
          <Link href="/connections" className="px-4 py-2 hover:bg-zinc-50">
            Connections
          </Link>
          <Link href="/permissions" className="px-4 py-2 hover:bg-zinc-50">
            Agent permissions
          </Link>
          <Link href="/activity" className="px-4 py-2 hover:bg-zinc-50">
            Activity
          </Link>
        </nav>
        <div className="border-t border-zinc-200 px-4 py-3 text-sm">
          <p className="truncate font-medium">{user.name}</p>
          {user.email && <p className="truncate text-zinc-600">{user.email}</p>}
          <a href="/auth/logout" className="mt-2 inline-block text-indigo-700 underline">
            Log out
          </a>
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-2 border-b border-zinc-200 bg-white px-4 py-2">
          <nav aria-label="Menu" className="mr-auto flex flex-wrap items-center gap-x-3 gap-y-1 text-sm md:hidden">
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
            <a href="/" className="font-medium text-indigo-700">
              New chat
            </a>
            <Link href="/documents">Documents</Link>
            <Link href="/connections">Connections</Link>
            <Link href="/permissions">Permissions</Link>
            <Link href="/activity">Activity</Link>
            <a href="/auth/logout">Log out</a>
          </nav>
          <SandboxBadge />
        </header>
        {children}
      </div>
    </div>
  );
}
