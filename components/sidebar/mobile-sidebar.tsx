"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Sheet, SheetClose, SheetContent, SheetTitle, SheetTrigger } from "@/components/ui/sheet";

/** Tailwind's `md`: from here on the sidebar is a column of the layout, not a drawer. */
const DESKTOP = "(min-width: 768px)";

/**
 * The sidebar as a drawer for narrow screens, opened by the header's "Open sidebar" button. It closes on Esc, on
 * "Close sidebar", when a link in it is followed, and when the window grows wide enough for the column; focus then
 * returns to the button.
 */
export function MobileSidebar({ children }: { children: React.ReactNode }) {
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const desktop = window.matchMedia(DESKTOP);
    const closeOnDesktop = () => desktop.matches && setOpen(false);
    desktop.addEventListener("change", closeOnDesktop);
    return () => desktop.removeEventListener("change", closeOnDesktop);
  }, []);

  return (
    <Sheet open={open} onOpenChange={setOpen}>
      <SheetTrigger asChild>
        <Button variant="ghost" size="icon" className="md:hidden" aria-label="Open sidebar">
          <MenuIcon />
        </Button>
      </SheetTrigger>
      <SheetContent
        side="left"
        aria-describedby={undefined}
        onClickCapture={(event) => {
          // After the click: unmounting the link while its own handler runs turns the client navigation into a full load.
          if (event.target instanceof Element && event.target.closest("a[href]")) setTimeout(() => setOpen(false));
        }}
      >
        <SheetTitle className="sr-only">Sidebar</SheetTitle>
        {children}
      </SheetContent>
    </Sheet>
  );
}

/** The drawer's close button, for SidebarContent's top row. */
export function CloseSidebarButton() {
  return (
    <SheetClose asChild>
      <Button variant="ghost" size="icon" aria-label="Close sidebar">
        <span aria-hidden className="text-xl leading-none">
          ×
        </span>
      </Button>
    </SheetClose>
  );
}

function MenuIcon() {
  return (
    <svg aria-hidden viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
      <path d="M4 6h16M4 12h16M4 18h16" />
    </svg>
  );
}
