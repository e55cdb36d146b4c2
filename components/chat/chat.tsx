"use client";

import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, isToolUIPart, lastAssistantMessageIsCompleteWithApprovalResponses } from "ai";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { ChatMessage } from "@/lib/ai/types";
import { loadDraft, saveDraft } from "@/lib/chat/draft";
import { announceChatsChanged } from "@/lib/chat/events";
import { ApiError, fetchOrThrow } from "@/lib/errors";
import { Composer } from "./composer";
import { Message } from "./message";
import { messageElementId } from "./message-anchor";

/** Only the decisions travel: the server has the calls and their signed approval requests. */
function approvalDecisions(message: ChatMessage) {
  return message.parts.flatMap((part) =>
    isToolUIPart(part) && part.state === "approval-responded"
      ? [{ approvalId: part.approval.id, approved: part.approval.approved, reason: part.approval.reason }]
      : [],
  );
}

const subscribeToHash = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};

/**
 * The message the URL's fragment names (`#message-<id>`, an Activity entry's link), or null. Read as an external
 * store because a client-side navigation writes the URL during the commit that mounts the chat: React re-reads it
 * then, and on every hashchange.
 */
function useLinkedMessageId(messages: ChatMessage[]): string | null {
  const hash = useSyncExternalStore(subscribeToHash, () => window.location.hash, () => "");
  const id = decodeURIComponent(hash.slice(1));
  return messages.find((message) => messageElementId(message.id) === id)?.id ?? null;
}

export function Chat({ id, initialMessages }: { id: string; initialMessages: ChatMessage[] }) {
  const [input, setInputState] = useState("");
  const [sessionExpired, setSessionExpired] = useState(false);
  const bottom = useRef<HTMLDivElement>(null);

  const transport = useMemo(
    () =>
      new DefaultChatTransport<ChatMessage>({
        api: "/api/chat",
        fetch: fetchOrThrow,
        // History, tool inputs and results live on the server: only the new message, or the id of the tool
        // call to resume, travels.
        prepareSendMessagesRequest: ({ id, messages, body }) => {
          const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
          if (body?.resume) return { body: { id, timeZone, resume: body.resume } };
          const last = messages.at(-1);
          if (last?.role === "assistant") return { body: { id, timeZone, approvals: approvalDecisions(last) } };
          return { body: { id, timeZone, message: last } };
        },
      }),
    [],
  );

  const { messages, setMessages, sendMessage, addToolApprovalResponse, status, stop, error } = useChat<ChatMessage>({
    id,
    messages: initialMessages,
    transport,
    // A reply still being generated (the page was reloaded mid-answer) is replayed and followed to its end.
    resume: true,
    // Once every approval request of the reply is answered, the decisions go to the server by themselves.
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
    generateId: () => crypto.randomUUID(),
    onFinish: () => announceChatsChanged(),
    onError: (e) => {
      if (!(e instanceof ApiError) || lastRequest.current !== "send") return;
      // The request was refused before anything was stored: take the message back into the box.
      setMessages((current) => {
        const last = current.at(-1);
        if (last?.role !== "user") return current;
        setInput(last.parts.map((p) => (p.type === "text" ? p.text : "")).join(""));
        // A chat refused on its first message was never created: it has no URL of its own yet.
        if (current.length === 1) window.history.replaceState(null, "", "/");
        return current.slice(0, -1);
      });
      if (e.status === 401) setSessionExpired(true);
    },
  });

  const inputRef = useRef(input);
  // Starts as "resume": the first request is the reconnect to a running reply, not a message to take back.
  const lastRequest = useRef<"send" | "resume">("resume");
  function setInput(text: string) {
    inputRef.current = text;
    setInputState(text);
    saveDraft(text);
  }

  // sessionStorage exists only in the browser, so the draft is restored after hydration.
  // The box stays disabled until hydration, so nothing typed before React takes over is lost; the draft
  // lives in sessionStorage, which only the browser has.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => {
    inputRef.current = loadDraft();
    setInputState(inputRef.current);
    setHydrated(true);
  }, []);
  // The chat opens at its latest message, unless a link names one: then it opens there, once, with focus on it.
  const linkedId = useLinkedMessageId(messages);
  const shownLink = useRef<string | null>(null);
  useEffect(() => {
    if (linkedId && shownLink.current !== linkedId) {
      shownLink.current = linkedId;
      const target = document.getElementById(messageElementId(linkedId));
      target?.scrollIntoView({ block: "center" });
      target?.focus({ preventScroll: true });
      return;
    }
    if (!linkedId || status !== "ready") bottom.current?.scrollIntoView({ block: "end" });
  }, [messages, linkedId, status]);

  const busy = status === "submitted" || status === "streaming";

  // Once the server accepts the message (the reply starts streaming), the in-flight text is no longer a draft.
  useEffect(() => {
    if (status !== "streaming") return;
    saveDraft(inputRef.current);
    announceChatsChanged();
  }, [status]);

  function send() {
    inputRef.current = "";
    setInputState(""); // the stored draft stays until the server accepts the message
    if (messages.length === 0) {
      // The chat now exists on the server; give it its own URL without remounting.
      window.history.replaceState(null, "", `/chat/${id}`);
    }
    lastRequest.current = "send";
    void sendMessage({ text: input });
  }

  // Leaving the page does not end a reply on the server, so the Stop is sent to it before the stream is let go.
  function stopReply() {
    void fetch(`/api/chat/${id}/stream`, { method: "DELETE" });
    void stop();
  }

  // The server re-runs the interrupted call from what it stored; the browser only names the call.
  const resume = useCallback(
    (toolCallId: string, cancel?: boolean) => {
      lastRequest.current = "resume";
      void sendMessage(undefined, { body: { resume: { toolCallId, cancel } } });
    },
    [sendMessage],
  );

  // Back from a connect flow that took the whole tab (popups blocked): resume, or say it failed.
  const [failedToolCallId, setFailedToolCallId] = useState<string | null>(null);
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    const toResume = params.get("resume");
    const failed = params.get("connect_failed");
    if (!toResume && !failed) return;
    window.history.replaceState(null, "", window.location.pathname);
    if (toResume) resume(toResume);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- reads the URL once, after hydration
    else setFailedToolCallId(failed);
  }, [resume]);

  const returnTo = typeof window === "undefined" ? "/" : window.location.pathname;
  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <div className="flex-1 overflow-y-auto" aria-live="polite">
        <div className="mx-auto flex max-w-3xl flex-col gap-4 px-4 py-6">
          {messages.length === 0 && (
            <div className="py-16 text-center text-zinc-500">
              <h1 className="text-xl font-semibold text-zinc-800">How can I help?</h1>
              <p className="mt-1">Try “Who am I?”</p>
            </div>
          )}
          {messages.map((message, index) => (
            <Message
              key={message.id}
              message={message}
              linked={message.id === linkedId}
              interrupts={{
                chatId: id,
                active: index === messages.length - 1,
                busy,
                failedToolCallId,
                onResume: resume,
                onCancel: (toolCallId) => resume(toolCallId, true),
                onApproval: (approvalId, approved) => {
                  lastRequest.current = "resume";
                  void addToolApprovalResponse({ id: approvalId, approved, reason: approved ? undefined : "The user denied it in the chat." });
                },
              }}
            />
          ))}
          {status === "submitted" && <p className="text-sm text-zinc-500">Thinking…</p>}
          {error && (
            <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
              {sessionExpired ? (
                <>
                  Your session has expired. Your message is kept below.{" "}
                  <a className="font-medium underline" href={`/auth/login?returnTo=${encodeURIComponent(returnTo)}`}>
                    Sign in again
                  </a>
                </>
              ) : (
                error.message
              )}
            </div>
          )}
          <div ref={bottom} />
        </div>
      </div>
      <Composer value={input} onChange={setInput} onSend={send} onStop={stopReply} busy={busy} disabled={!hydrated} />
    </main>
  );
}
