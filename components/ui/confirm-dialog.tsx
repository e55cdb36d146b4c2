"use client";

import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useRef, useState } from "react";
import { Button } from "./button";
import { dialogPanelClassName, overlayClassName } from "./dialog";
import "./style-nonce";

export interface ConfirmDialogProps {
  /** The control that opens the dialog (a button); focus returns to it when the dialog closes. */
  trigger?: React.ReactNode;
  /**
   * Without a trigger, for a dialog opened from elsewhere (a menu item, gone once the menu closes): whoever opens it
   * holds `open`, and `returnFocusTo` names where focus goes when it closes.
   */
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  returnFocusTo?: () => HTMLElement | null;
  title: string;
  description: React.ReactNode;
  /** Says what happens: "Delete chat", not "OK". */
  confirmLabel: string;
  cancelLabel?: string;
  /** Runs only after the person confirms; the dialog stays open (its buttons disabled) until it settles. */
  onConfirm: () => void | Promise<void>;
  /** Red confirm button for actions that destroy or widen access; pass false for harmless ones. */
  destructive?: boolean;
  /**
   * Where focus goes once the action has run, when the trigger is about to leave the page with what it acted on
   * (a deleted item's Delete button); null, or no function, returns focus to the trigger.
   */
  focusAfterConfirm?: () => HTMLElement | null;
}

/**
 * Asks before a destructive action. An alert dialog: Cancel has the focus when it opens, Esc cancels, and a click
 * outside does nothing, so the action never runs by accident.
 */
export function ConfirmDialog({
  trigger,
  open: controlledOpen,
  onOpenChange,
  returnFocusTo,
  title,
  description,
  confirmLabel,
  cancelLabel = "Cancel",
  onConfirm,
  destructive = true,
  focusAfterConfirm,
}: ConfirmDialogProps) {
  const [uncontrolledOpen, setUncontrolledOpen] = useState(false);
  const open = controlledOpen ?? uncontrolledOpen;
  const [busy, setBusy] = useState(false);
  const confirmed = useRef(false);

  function setOpen(next: boolean) {
    setUncontrolledOpen(next);
    onOpenChange?.(next);
  }

  async function confirm(event: React.MouseEvent) {
    event.preventDefault(); // close once the action has settled, not on click
    setBusy(true);
    try {
      await onConfirm();
      confirmed.current = true;
    } finally {
      setBusy(false);
      setOpen(false);
    }
  }

  return (
    <AlertDialog.Root open={open} onOpenChange={(next) => !busy && setOpen(next)}>
      {trigger && <AlertDialog.Trigger asChild>{trigger}</AlertDialog.Trigger>}
      <AlertDialog.Portal>
        <AlertDialog.Overlay className={overlayClassName} />
        <AlertDialog.Content
          className={dialogPanelClassName}
          onCloseAutoFocus={(event) => {
            const target = (confirmed.current ? focusAfterConfirm?.() : null) ?? returnFocusTo?.() ?? null;
            confirmed.current = false;
            if (!target) return;
            event.preventDefault();
            target.focus();
          }}
        >
          <AlertDialog.Title className="text-lg font-semibold">{title}</AlertDialog.Title>
          <AlertDialog.Description className="text-sm text-zinc-600">{description}</AlertDialog.Description>
          <div className="mt-2 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <AlertDialog.Cancel asChild>
              <Button variant="secondary" disabled={busy}>
                {cancelLabel}
              </Button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <Button variant={destructive ? "destructive" : "primary"} disabled={busy} aria-busy={busy} onClick={confirm}>
                {confirmLabel}
              </Button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
