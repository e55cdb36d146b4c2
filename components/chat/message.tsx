import { getToolName, isToolUIPart } from "ai";
import { Markdown } from "@/components/markdown";
import type { ChatMessage } from "@/lib/ai/types";
import { ToolCard } from "./tool-card";

export function Message({ message }: { message: ChatMessage }) {
  if (message.role === "user") {
    return (
      <article aria-label="Your message" className="flex justify-end">
        <div className="max-w-[80%] whitespace-pre-wrap rounded-2xl bg-indigo-600 px-4 py-2 text-white">
          {message.parts.map((part, i) => (part.type === "text" ? <span key={i}>{part.text}</span> : null))}
        </div>
      </article>
    );
  }
  return (
    <article aria-label="Assistant message" className="max-w-[90%]">
      {message.parts.map((part, i) => {
        if (part.type === "text") return <Markdown key={i}>{part.text}</Markdown>;
        if (isToolUIPart(part)) return <ToolCard key={part.toolCallId} name={getToolName(part)} part={part} />;
        return null;
      })}
    </article>
  );
}
