import { getToolName, isToolUIPart } from "ai";
import { Markdown } from "@/components/markdown";
import type { ChatMessage } from "@/lib/ai/types";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { ApproveActionPrompt } from "./approve-action-prompt";
import { ConnectPrompt } from "./connect-prompt";
import { messageElementId } from "./message-anchor";
import { ToolCard } from "./tool-card";

export interface InterruptHandlers {
  chatId: string;
  /** Whether this message is the latest one: only then can its prompts be acted on. */
  active: boolean;
  /** A request is under way; prompts wait for it. */
  busy: boolean;
  /** A connect flow that came back failed through a full-page redirect. */
  failedToolCallId: string | null;
  /** Re-runs the interrupted call on the server (after a connect, or to check on an approval). */
  onResume: (toolCallId: string) => void;
  onCancel: (toolCallId: string) => void;
  onApproval: (approvalId: string, approved: boolean) => void;
}

/** A message an Activity link points at is outlined; it takes focus (tabIndex -1) so keyboards and screen readers start there. */
const linkedStyle = "rounded-2xl outline-2 outline-offset-4 outline-amber-500 focus:outline-amber-600";

export function Message({ message, linked = false, interrupts }: { message: ChatMessage; linked?: boolean; interrupts: InterruptHandlers }) {
  const anchor = { id: messageElementId(message.id), tabIndex: -1, "aria-current": linked ? ("location" as const) : undefined };
  if (message.role === "user") {
    return (
      <article aria-label="Your message" {...anchor} className={`flex justify-end ${linked ? linkedStyle : "outline-none"}`}>
        <div className="max-w-[80%] whitespace-pre-wrap rounded-2xl bg-indigo-600 px-4 py-2 text-white">
          {message.parts.map((part, i) => (part.type === "text" ? <span key={i}>{part.text}</span> : null))}
        </div>
      </article>
    );
  }
  return (
    <article aria-label="Assistant message" {...anchor} className={`max-w-[90%] ${linked ? linkedStyle : "outline-none"}`}>
      {message.parts.map((part, i) => {
        if (part.type === "text") return <Markdown key={i}>{part.text}</Markdown>;
        if (!isToolUIPart(part)) return null;
        if (part.state === "output-available" && isInterruptedOutput(part.output)) {
          const { interrupt } = part.output;
          if (interrupt.code === "ASYNC_AUTHORIZATION_AUTHORIZATION_PENDING") {
            return (
              <ApproveActionPrompt
                key={part.toolCallId}
                toolCallId={part.toolCallId}
                interrupt={interrupt}
                active={interrupts.active}
                busy={interrupts.busy}
                onCheck={interrupts.onResume}
                onCancel={interrupts.onCancel}
              />
            );
          }
          return (
            <ConnectPrompt
              key={part.toolCallId}
              chatId={interrupts.chatId}
              toolCallId={part.toolCallId}
              interrupt={interrupt}
              active={interrupts.active}
              initiallyFailed={interrupts.failedToolCallId === part.toolCallId}
              onConnected={interrupts.onResume}
            />
          );
        }
        return (
          <ToolCard
            key={part.toolCallId}
            name={getToolName(part)}
            part={part}
            onApproval={interrupts.active ? interrupts.onApproval : undefined}
          />
        );
      })}
    </article>
  );
}
