"use client";

import * as DialogPrimitive from "@radix-ui/react-dialog";
import { cn } from "./cn";
import { overlayClassName } from "./dialog";
import "./style-nonce";

/** A panel that slides over the page from one side: a modal dialog (focus kept inside, Esc closes it). */
export const Sheet = DialogPrimitive.Root;
export const SheetTrigger = DialogPrimitive.Trigger;
export const SheetClose = DialogPrimitive.Close;
export const SheetTitle = DialogPrimitive.Title;

const sides = {
  left: "inset-y-0 left-0 border-r",
  right: "inset-y-0 right-0 border-l",
};

export function SheetContent({
  side = "left",
  className,
  children,
  ...props
}: React.ComponentProps<typeof DialogPrimitive.Content> & { side?: keyof typeof sides }) {
  return (
    <DialogPrimitive.Portal>
      <DialogPrimitive.Overlay className={overlayClassName} />
      <DialogPrimitive.Content
        className={cn(
          "fixed z-50 flex h-full w-72 max-w-[85vw] flex-col border-zinc-200 bg-white text-zinc-900 shadow-xl focus:outline-none",
          sides[side],
          className,
        )}
        {...props}
      >
        {children}
      </DialogPrimitive.Content>
    </DialogPrimitive.Portal>
  );
}
