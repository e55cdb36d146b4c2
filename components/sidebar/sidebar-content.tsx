import Link from "next/link";
import { Button } from "@/components/ui/button";
import type { Theme } from "../theme";
import { ChatList } from "./chat-list";
import { NewChatLink } from "./new-chat-link";
import { UserMenu } from "./user-menu";

const settingsLinks = [
  { href: "/documents", label: "Documents" },
  { href: "/connections", label: "Connections" },
  { href: "/permissions", label: "Agent permissions" },
  { href: "/activity", label: "Activity" },
];

/**
 * Everything the sidebar holds, the same on a desktop (a column beside the page) and on a phone (a drawer).
 * `closeButton` is the drawer's own way out, placed in the top row.
 */
export function SidebarContent({
  user,
  theme,
  closeButton,
}: {
  user: { name: string; email: string | null };
  theme: Theme;
  closeButton?: React.ReactNode;
}) {
  return (
    <>
      <div className="flex items-center gap-2 px-4 py-3">
        <span className="mr-auto font-semibold">Delegate</span>
        <Button asChild variant="secondary" size="sm">
          <NewChatLink />
        </Button>
        {closeButton}
      </div>
      <ChatList />
      <nav aria-label="Settings" className="flex flex-col border-t border-zinc-200 p-2 text-sm">
        {settingsLinks.map(({ href, label }) => (
          <Link key={href} href={href} className="rounded-md px-2 py-1.5 hover:bg-zinc-100">
            {label}
          </Link>
        ))}
      </nav>
      <div className="border-t border-zinc-200 p-2">
        <UserMenu name={user.name} email={user.email} theme={theme} />
      </div>
    </>
  );
}
