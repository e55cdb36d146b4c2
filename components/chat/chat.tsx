"use client";

import { useChat } from "@ai-sdk/react";
import { DefaultChatTransport, isToolUIPart, lastAssistantMessageIsCompleteWithApprovalResponses } from "ai";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useStickToBottom } from "use-stick-to-bottom";
import { Button } from "@/components/ui/button";
import type { ChatMessage } from "@/lib/ai/types";
import { loadDraft, saveDraft } from "@/lib/chat/draft";
import { announceChatsChanged } from "@/lib/chat/events";
import type { EditRequest, RetryRequest } from "@/lib/chat/request";
import { ApiError, fetchOrThrow } from "@/lib/errors";
import { Composer } from "./composer";
import { Message } from "./message";
import { EditMessageForm, MessageActions, messagePlainText } from "./message-actions";
import { messageElementId } from "./message-anchor";
import { Suggestions } from "./suggestions";

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
/** What the live region says when an answer is complete: that it came, and its first sentence. */
function finishedAnswerAnnouncement(message: ChatMessage): string {
  const firstSentence = /^.*?[.!?](?=\s|$)/s.exec(messagePlainText(message))?.[0] ?? messagePlainText(message);
  const line = firstSentence.replace(/\s+/g, " ").trim();
  return line ? `Delegate answered: ${line.length > 200 ? `${line.slice(0, 199)}…` : line}` : "Delegate answered.";
}

function useLinkedMessageId(messages: ChatMessage[]): string | null {
  const hash = useSyncExternalStore(subscribeToHash, () => window.location.hash, () => "");
  const id = decodeURIComponent(hash.slice(1));
  return messages.find((message) => messageElementId(message.id) === id)?.id ?? null;
}

export function Chat({ id, initialMessages }: { id: string; initialMessages: ChatMessage[] }) {
  const [input, setInputState] = useState("");
  /** After a 401: where "Sign in again" returns to, read once a refused message is taken back (and its URL with it). */
  const [signInReturnTo, setSignInReturnTo] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [editingId, setEditingId] = useState<string | null>(null);
  const composerBox = useRef<HTMLTextAreaElement>(null);
  // Follows the newest tokens while the reader is at the bottom; scrolling up lets go until they come back.
  const { scrollRef, contentRef, isAtBottom, scrollToBottom, stopScroll } = useStickToBottom({ initial: "instant", resize: "smooth" });
  /** The transcript as it was before a retry or an edit, put back if the server refuses it. */
  const beforeRewind = useRef<ChatMessage[]>([]);

  const transport = useMemo(
    () =>
      new DefaultChatTransport<ChatMessage>({
        api: "/api/chat",
        fetch: fetchOrThrow,
        // History, tool inputs and results live on the server: only the new message, or the id of the tool
        // call to resume, travels.
        prepareSendMessagesRequest: ({ id, messages, body, trigger, messageId }) => {
          const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
          if (body?.resume) return { body: { id, timeZone, resume: body.resume } };
          const last = messages.at(-1);
          if (trigger === "regenerate-message" && last)
            return { body: { id, timeZone, retry: { messageId: last.id } } satisfies RetryRequest };
          if (last?.role === "assistant") return { body: { id, timeZone, approvals: approvalDecisions(last) } };
          // A message sent under an existing id replaces that message: an edit.
          if (messageId && last)
            return { body: { id, timeZone, edit: { message: { id: last.id, role: "user", parts: [{ type: "text", text: messagePlainText(last) }] } } } satisfies EditRequest };
          return { body: { id, timeZone, message: last } };
        },
      }),
    [],
  );

  const { messages, setMessages, sendMessage, regenerate, addToolApprovalResponse, status, stop, error } = useChat<ChatMessage>({
    id,
    messages: initialMessages,
    transport,
    // A reply still being generated (the page was reloaded mid-answer) is replayed and followed to its end.
    resume: true,
    // Once every approval request of the reply is answered, the decisions go to the server by themselves.
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
    generateId: () => crypto.randomUUID(),
    onFinish: ({ message, isAbort, isError }) => {
      announceChatsChanged();
      if (message.role === "assistant" && !isAbort && !isError) setAnnouncement(finishedAnswerAnnouncement(message));
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return;
      takeBackRefusedRequest();
      if (e.status === 401) setSignInReturnTo(window.location.pathname);
    },
  });

  function takeBackRefusedRequest() {
    // Refused (an answer that already acted is kept): the transcript goes back to what the server still has.
    if (lastRequest.current === "rewind") return setMessages(beforeRewind.current);
    if (lastRequest.current !== "send") return;
    // The request was refused before anything was stored: take the message back into the box.
    setMessages((current) => {
      const last = current.at(-1);
      if (last?.role !== "user") return current;
      setInput(last.parts.map((p) => (p.type === "text" ? p.text : "")).join(""));
      // A chat refused on its first message was never created: it has no URL of its own yet.
      if (current.length === 1) window.history.replaceState(null, "", "/");
      return current.slice(0, -1);
    });
  }

  const inputRef = useRef(input);
  // Starts as "resume": the first request is the reconnect to a running reply, not a message to take back.
  const lastRequest = useRef<"send" | "resume" | "rewind">("resume");
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
  // The chat opens at its latest message, unless a link names one: then it opens there, once, with focus on it,
  // and stops following the bottom until the reader goes back down or sends.
  const linkedId = useLinkedMessageId(messages);
  const shownLink = useRef<string | null>(null);
  useEffect(() => {
    if (!linkedId || shownLink.current === linkedId) return;
    shownLink.current = linkedId;
    stopScroll();
    const target = document.getElementById(messageElementId(linkedId));
    target?.scrollIntoView({ block: "center" });
    target?.focus({ preventScroll: true });
  }, [linkedId, stopScroll]);

  const busy = status === "submitted" || status === "streaming";
  const focusComposer = useCallback(() => requestAnimationFrame(() => composerBox.current?.focus()), []);
  // Leaving the page does not end a reply on the server, so the Stop is sent to it before the stream is let go.
  // Until the first chunk arrives the server may not have registered the reply yet (nor, for a new chat, the chat):
  // a Stop then would find nothing to stop, so it waits for that chunk, which comes only once both exist.
  const stopOnceStarted = useRef(false);
  const stopGenerating = useCallback(() => {
    focusComposer();
    if (status === "submitted") {
      stopOnceStarted.current = true;
      return;
    }
    void fetch(`/api/chat/${id}/stream`, { method: "DELETE" });
    void stop();
  }, [id, status, stop, focusComposer]);
  useEffect(() => {
    if (status === "submitted") return;
    const stopNow = stopOnceStarted.current && status === "streaming";
    stopOnceStarted.current = false;
    if (stopNow) stopGenerating();
  }, [status, stopGenerating]);

  // Esc stops the answer from anywhere in the page, as in other chat apps.
  useEffect(() => {
    if (!busy) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) stopGenerating();
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [busy, stopGenerating]);

  // Once the server accepts the message (the reply starts streaming), the in-flight text is no longer a draft.
  useEffect(() => {
    if (status !== "streaming") return;
    saveDraft(inputRef.current);
    announceChatsChanged();
  }, [status]);

  /** Every turn the user starts brings the newest message into view and follows it. */
  function startTurn(request: "send" | "rewind") {
    lastRequest.current = request;
    setAnnouncement("");
    void scrollToBottom();
  }

  function send(text: string) {
    inputRef.current = "";
    setInputState(""); // the stored draft stays until the server accepts the message
    if (messages.length === 0) {
      // The chat now exists on the server; give it its own URL without remounting.
      window.history.replaceState(null, "", `/chat/${id}`);
    }
    startTurn("send");
    void sendMessage({ text });
  }

  /** Runs the turn of the last user message again, with its words as they are or as edited. */
  function rewind(messageId: string, editedText?: string) {
    beforeRewind.current = messages;
    setEditingId(null);
    startTurn("rewind");
    void (editedText === undefined ? regenerate({ messageId }) : sendMessage({ text: editedText, messageId }));
    focusComposer();
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

  const lastUserIndex = messages.findLastIndex((message) => message.role === "user");
  const canRewind = hydrated && !busy;
  return (
    <main className="flex min-h-0 flex-1 flex-col">
      <p role="status" className="sr-only">
        {announcement}
      </p>
      <div className="relative min-h-0 flex-1">
        <div ref={scrollRef} className="h-full overflow-y-auto">
          <div ref={contentRef} className="mx-auto flex max-w-3xl flex-col gap-4 px-4 py-6">
            {messages.length === 0 && (
              <div className="py-16 text-center text-zinc-500">
                <h1 className="text-xl font-semibold text-zinc-800">How can I help?</h1>
                <p className="mt-1">Ask in your own words, or start with one of these:</p>
                <Suggestions disabled={!hydrated || busy} onPick={send} />
              </div>
            )}
            {messages.map((message, index) => {
              const isLast = index === messages.length - 1;
              const isLastQuestion = index === lastUserIndex;
              const retry = canRewind && isLast && (message.role === "assistant" || isLastQuestion) ? () => rewind(messages[lastUserIndex]!.id) : undefined;
              const edit = canRewind && isLastQuestion ? () => setEditingId(message.id) : undefined;
              if (message.id === editingId)
                return (
                  <EditMessageForm
                    key={message.id}
                    initialText={messagePlainText(message)}
                    onSave={(text) => rewind(message.id, text)}
                    onCancel={() => setEditingId(null)}
                  />
                );
              return (
                <div key={message.id} className="flex flex-col gap-1">
                  <Message
                    message={message}
                    linked={message.id === linkedId}
                    interrupts={{
                      chatId: id,
                      active: isLast,
                      busy,
                      failedToolCallId,
                      onResume: resume,
                      onCancel: (toolCallId) => resume(toolCallId, true),
                      onApproval: (approvalId, approved) => {
                        lastRequest.current = "resume";
                        void addToolApprovalResponse({ id: approvalId, approved, reason: approved ? undefined : "The user denied it in the chat." });
                        focusComposer();
                      },
                    }}
                  />
                  {!(busy && isLast) && (
                    <MessageActions
                      label={message.role === "user" ? "Actions for your message" : "Actions for the answer"}
                      align={message.role === "user" ? "end" : "start"}
                      text={messagePlainText(message)}
                      onRetry={retry}
                      onEdit={edit}
                    />
                  )}
                </div>
              );
            })}
            {status === "submitted" && <p className="text-sm text-zinc-500">Thinking…</p>}
            {error && (
              <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {signInReturnTo ? (
                  <>
                    Your session has expired. Your message is kept below.{" "}
                    <a className="font-medium underline" href={`/auth/login?returnTo=${encodeURIComponent(signInReturnTo)}`}>
                      Sign in again
                    </a>
                  </>
                ) : (
                  error.message
                )}
              </div>
            )}
          </div>
        </div>
        {!isAtBottom && (
          <Button
            variant="secondary"
            onClick={() => {
              void scrollToBottom();
              focusComposer();
            }}
            className="absolute bottom-3 left-1/2 -translate-x-1/2 rounded-full shadow-md"
          >
            Jump to latest <span aria-hidden>↓</span>
          </Button>
        )}
      </div>
      <Composer
        inputRef={composerBox}
        value={input}
        onChange={setInput}
        onSend={() => send(input)}
        onStop={stopGenerating}
        busy={busy}
        disabled={!hydrated}
      />
    </main>
  );
}
