"use client";

import { useRef } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";

export type ChatAction = "rename" | "delete";

/**
 * A chat's "⋯" menu in the sidebar. With a mouse it shows on hover, on keyboard focus and for the open chat; on a
 * touch screen, which has no hover, always. Each item opens a dialog the list holds (the menu is gone once it closes),
 * so focus is left for that dialog rather than returned here; the dialog is given this trigger to return focus to.
 */
export function ChatMenu({ title, current, onAction }: { title: string; current: boolean; onAction: (action: ChatAction, trigger: HTMLElement | null) => void }) {
  const trigger = useRef<HTMLButtonElement>(null);
  const openingDialog = useRef(false);
  function choose(action: ChatAction) {
    openingDialog.current = true;
    onAction(action, trigger.current);
  }
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          ref={trigger}
          variant="ghost"
          size="sm"
          aria-label={`Options for chat “${title}”`}
          className={cn(
            "px-2 text-zinc-600",
            !current && "pointer-fine:opacity-0 pointer-fine:group-hover:opacity-100 pointer-fine:group-focus-within:opacity-100 pointer-fine:data-[state=open]:opacity-100",
          )}
        >
          <DotsIcon />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent
        align="end"
        className="min-w-36"
        onCloseAutoFocus={(event) => {
          if (openingDialog.current) event.preventDefault();
          openingDialog.current = false;
        }}
      >
        <DropdownMenuItem onSelect={() => choose("rename")}>Rename</DropdownMenuItem>
        <DropdownMenuItem onSelect={() => choose("delete")} className="text-red-700 data-[highlighted]:bg-red-50">
          Delete
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function DotsIcon() {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className="size-4" fill="currentColor">
      <circle cx="5" cy="12" r="1.75" />
      <circle cx="12" cy="12" r="1.75" />
      <circle cx="19" cy="12" r="1.75" />
    </svg>
  );
}
