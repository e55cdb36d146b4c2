"use client";

import { useId, type Ref } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Textarea } from "@/components/ui/textarea";
import { MAX_MESSAGE_LENGTH } from "@/lib/chat/limits";

export function Composer({
  inputRef,
  value,
  onChange,
  onSend,
  onStop,
  busy,
  disabled,
}: {
  /** Focus comes back here after an action (send, stop, retry, edit, an approval answered). */
  inputRef: Ref<HTMLTextAreaElement>;
  value: string;
  onChange: (value: string) => void;
  onSend: () => void;
  onStop: () => void;
  busy: boolean;
  disabled: boolean;
}) {
  const counterId = useId();
  const tooLong = value.length > MAX_MESSAGE_LENGTH;
  const canSend = !disabled && !busy && value.trim().length > 0 && !tooLong;
  return (
    <form
      className="border-t border-zinc-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        if (canSend) onSend();
      }}
    >
      <div className="mx-auto flex max-w-3xl items-end gap-2">
        <Textarea
          ref={inputRef}
          aria-label="Message"
          aria-describedby={counterId}
          aria-invalid={tooLong || undefined}
          rows={2}
          disabled={disabled}
          value={value}
          placeholder="Ask Delegate…"
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
              event.preventDefault();
              if (canSend) onSend();
            }
          }}
          className="min-h-11 flex-1 rounded-lg text-base"
        />
        {busy ? (
          <Button size="lg" onClick={onStop} aria-keyshortcuts="Escape" title="Stop (Esc)" className="bg-zinc-800 hover:bg-zinc-900">
            Stop
          </Button>
        ) : (
          <Button type="submit" size="lg" disabled={!canSend}>
            Send
          </Button>
        )}
      </div>
      <p id={counterId} className={cn("mx-auto mt-1 max-w-3xl text-right text-xs", tooLong ? "text-red-700" : "text-zinc-600")}>
        {tooLong ? `Too long: ${value.length} / ${MAX_MESSAGE_LENGTH} characters` : `${value.length} / ${MAX_MESSAGE_LENGTH}`}
      </p>
    </form>
  );
}
