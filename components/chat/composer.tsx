"use client";

import { useId, type Ref } from "react";
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
        <textarea
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
          className="min-h-11 flex-1 resize-y rounded-lg border border-zinc-300 px-3 py-2 focus:border-indigo-500 focus:outline-none"
        />
        {busy ? (
          <button type="button" onClick={onStop} aria-keyshortcuts="Escape" title="Stop (Esc)" className="rounded-lg bg-zinc-800 px-4 py-2 font-medium text-white">
            Stop
          </button>
        ) : (
          <button
            type="submit"
            disabled={!canSend}
            className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white disabled:opacity-40"
          >
            Send
          </button>
        )}
      </div>
      <p id={counterId} className={`mx-auto mt-1 max-w-3xl text-right text-xs ${tooLong ? "text-red-700" : "text-zinc-400"}`}>
        {tooLong ? `Too long: ${value.length} / ${MAX_MESSAGE_LENGTH} characters` : `${value.length} / ${MAX_MESSAGE_LENGTH}`}
      </p>
    </form>
  );
}
