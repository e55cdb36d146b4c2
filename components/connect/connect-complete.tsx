"use client";

import { useEffect } from "react";
import { CONNECT_RESULT_MESSAGE, type ConnectResult } from "@/lib/auth/interrupts";

/**
 * Reports the connect result to the chat that opened this popup, then closes. Without an opener (the popup
 * was blocked and the whole tab went through the flow) it returns to the chat, which resumes by itself.
 */
export function ConnectComplete({ chatId, toolCallId, failed }: { chatId?: string; toolCallId?: string; failed: boolean }) {
  const status: ConnectResult["status"] = failed ? "failed" : "connected";
  useEffect(() => {
    if (!toolCallId) return;
    if (window.opener && !window.opener.closed) {
      const result: ConnectResult = { type: CONNECT_RESULT_MESSAGE, toolCallId, status };
      window.opener.postMessage(result, window.location.origin);
      window.close();
    } else if (chatId) {
      const param = status === "connected" ? "resume" : "connect_failed";
      window.location.replace(`/chat/${encodeURIComponent(chatId)}?${param}=${encodeURIComponent(toolCallId)}`);
    }
  }, [chatId, toolCallId, status]);
  return (
    <main className="flex h-full items-center justify-center p-8 text-center">
      <p role="status">{failed ? "Not connected. You can close this window." : "Connected. You can close this window."}</p>
    </main>
  );
}
