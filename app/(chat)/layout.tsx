import { cookies } from "next/headers";
import { ToolTitlesProvider } from "@/components/chat/tool-titles";
import { Landing } from "@/components/landing";
import { SandboxBadge } from "@/components/sandbox-badge";
import { CloseSidebarButton, MobileSidebar } from "@/components/sidebar/mobile-sidebar";
import { SidebarContent } from "@/components/sidebar/sidebar-content";
import { parseTheme, THEME_COOKIE } from "@/components/theme";
import { toolTitles } from "@/lib/ai/tools";
import { getCurrentUser } from "@/lib/auth/session";
import { keepRunning } from "@/lib/http/keep-running";
import { listAhead } from "@/lib/rag/retrieve";

// Every page here depends on the signed-in user.
export const dynamic = "force-dynamic";

export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const user = await getCurrentUser();
  if (!user) return <Landing />;
  // What the user may read is listed as the chat opens, so that their first search need not ask FGA for it.
  keepRunning(listAhead(user.sub));
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  const sidebarUser = { name: user.name, email: user.email };
  return (
    <div className="flex h-full">
      {/* On a phone the column would leave no room for the page: the header's drawer holds the same content. */}
      <aside className="hidden w-64 shrink-0 flex-col border-r border-zinc-200 bg-white md:flex" aria-label="Chats">
        <SidebarContent user={sidebarUser} theme={theme} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-end gap-2 border-b border-zinc-200 bg-white px-2 py-1.5 md:px-4">
          <div className="mr-auto md:hidden">
            <MobileSidebar>
              <SidebarContent user={sidebarUser} theme={theme} closeButton={<CloseSidebarButton />} />
            </MobileSidebar>
          </div>
          <SandboxBadge />
        </header>
        <ToolTitlesProvider titles={toolTitles()}>{children}</ToolTitlesProvider>
      </div>
    </div>
  );
}
