"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Textarea } from "@/components/ui/textarea";
import type { ChatMessage } from "@/lib/ai/types";

/** The words of a message, as a person would paste them: its text parts, tool cards left out. */
export function messagePlainText(message: ChatMessage): string {
  return message.parts
    .flatMap((part) => (part.type === "text" && part.text.trim() ? [part.text.trim()] : []))
    .join("\n\n");
}

/** Small and quiet under each message; the ghost button of the kit at its smallest. */
function ActionButton(props: React.ComponentProps<typeof Button>) {
  return <Button variant="ghost" size="sm" {...props} className="h-7 px-2 text-xs text-zinc-600" />;
}

/** "Copy" on every message, and "Retry" / "Edit" where the conversation can be taken back to. */
export function MessageActions({
  label,
  align,
  text,
  onRetry,
  onEdit,
}: {
  label: string;
  /** Under the message it belongs to: users' messages sit on the right. */
  align: "start" | "end";
  text: string;
  onRetry?: () => void;
  onEdit?: () => void;
}) {
  return (
    <div role="group" aria-label={label} className={cn("flex gap-1", align === "end" && "justify-end")}>
      {text && <CopyButton text={text} />}
      {onRetry && (
        <ActionButton onClick={onRetry}>Retry</ActionButton>
      )}
      {onEdit && (
        <ActionButton onClick={onEdit}>Edit</ActionButton>
      )}
    </div>
  );
}

/** The button's name becomes "Copied" for a moment; being polite-live, a screen reader says so too. */
function CopyButton({ text }: { text: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const reset = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(reset.current), []);
  async function copy() {
    clearTimeout(reset.current);
    setState(await navigator.clipboard.writeText(text).then(() => "copied" as const, () => "failed" as const));
    reset.current = setTimeout(() => setState("idle"), 2000);
  }
  return (
    <ActionButton onClick={() => void copy()}>
      <span aria-live="polite">{state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}</span>
    </ActionButton>
  );
}

/** The last user message, back in a box: saving replaces it and runs its turn again; Esc or Cancel leaves it. */
export function EditMessageForm({ initialText, onSave, onCancel }: { initialText: string; onSave: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState(initialText);
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    box.current?.focus();
    box.current?.setSelectionRange(initialText.length, initialText.length);
  }, [initialText]);
  const canSave = text.trim().length > 0;
  return (
    <form
      className="ml-auto flex w-full max-w-[80%] flex-col gap-2 rounded-2xl border border-indigo-300 bg-white p-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (canSave) onSave(text);
      }}
    >
      <Textarea
        ref={box}
        aria-label="Edit your message"
        value={text}
        rows={3}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") {
            event.preventDefault();
            event.stopPropagation();
            onCancel();
          }
        }}
        className="min-h-0 text-base"
      />
      <div className="flex justify-end gap-2">
        <Button variant="ghost" size="sm" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" size="sm" disabled={!canSave}>
          Save and send
        </Button>
      </div>
    </form>
  );
}
