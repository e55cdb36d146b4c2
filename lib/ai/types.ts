import type { InferUITools, UIMessage } from "ai";
import type { ChatTools } from "./tools";

export type ChatUITools = InferUITools<ChatTools>;

/** The one message type shared by the chat route, the database and the UI. */
export type ChatMessage = UIMessage<never, Record<string, never>, ChatUITools>;
