"use client";

import { useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ApiError, fetchOrThrow } from "@/lib/errors";

/** `PATCH /api/chats/<id>`; resolves to the name as the server stored it (trimmed). */
async function renameChat(id: string, title: string): Promise<string> {
  const response = await fetchOrThrow(`/api/chats/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ title }),
  });
  return ((await response.json()) as { title: string }).title;
}

/**
 * Renames a chat. The server decides what a valid name is and says why it refuses one; its words are shown under the
 * field, and what the person typed stays there to be corrected. Enter saves; it cannot be dismissed while saving.
 */
export function RenameChatDialog({
  chat,
  open,
  onOpenChange,
  onRenamed,
  returnFocusTo,
}: {
  chat: { id: string; title: string };
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onRenamed: (title: string) => void;
  /** The dialog is opened from a menu that is gone by then: this names where focus goes when it closes. */
  returnFocusTo: () => HTMLElement | null;
}) {
  const [name, setName] = useState(chat.title);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  const fieldId = useId();
  const errorId = useId();

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      onRenamed(await renameChat(chat.id, name));
      onOpenChange(false);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not rename the chat. Check your connection and try again.");
      field.current?.focus();
    } finally {
      setSaving(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={(next) => !saving && onOpenChange(next)}>
      <DialogContent
        onOpenAutoFocus={(event) => {
          // Opens with the whole name selected, ready to be typed over.
          event.preventDefault();
          field.current?.select();
        }}
        onCloseAutoFocus={(event) => {
          const target = returnFocusTo();
          if (!target) return;
          event.preventDefault();
          target.focus();
        }}
        aria-describedby={undefined}
      >
        <DialogTitle>Rename chat</DialogTitle>
        <form onSubmit={(event) => void save(event)} className="flex flex-col gap-1.5">
          <Label htmlFor={fieldId}>Chat name</Label>
          <Input
            ref={field}
            id={fieldId}
            value={name}
            onChange={(event) => setName(event.target.value)}
            autoComplete="off"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
          />
          {error && (
            <p id={errorId} role="alert" className="text-sm text-red-700">
              {error}
            </p>
          )}
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="secondary" disabled={saving}>
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={saving} aria-busy={saving}>
              Save
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
