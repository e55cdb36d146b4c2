import { getToolName, isToolUIPart, type UIMessage } from "ai";
import { isInterruptedOutput } from "@/lib/auth/interrupts";
import { summarizeToolOutput, toolTitle } from "@/lib/chat/tool-summary";

/** A tool part, static or dynamic. */
export type ToolPart = Extract<UIMessage["parts"][number], { toolCallId: string }>;

/** The tool's declared title as the stream carries it, else its name spelled out. */
export const titleOf = (part: ToolPart) => part.title ?? toolTitle(getToolName(part), {});

/**
 * Prints an assistant message as it grows, in plain text: each text part's new characters as they arrive, and a line
 * for each tool call when it starts and when it fails. What was printed is remembered by part, so a message that
 * continues (a resumed call) prints only what is new.
 */
export class MessagePrinter {
  private printed = new Map<string, string>();
  private atLineStart = true;

  constructor(private readonly output: { write(text: string): void; say(line: string): void }) {}

  update(message: UIMessage) {
    message.parts.forEach((part, index) => {
      if (part.type === "text") return this.text(`${message.id}:${index}`, part.text);
      if (isToolUIPart(part)) this.tool(part);
    });
  }

  /** Ends the answer's last line, so what follows starts on its own. */
  endLine() {
    if (!this.atLineStart) this.output.write("\n");
    this.atLineStart = true;
  }

  private text(key: string, text: string) {
    const before = this.printed.get(key) ?? "";
    if (!text.startsWith(before) || text.length === before.length) return;
    this.output.write(text.slice(before.length));
    this.atLineStart = text.endsWith("\n");
    this.printed.set(key, text);
  }

  private tool(part: ToolPart) {
    const key = part.toolCallId;
    const shown = this.printed.get(key);
    const failure = part.state === "output-error" ? part.errorText : part.state === "output-available" && hasError(part.output) ? summarizeToolOutput(part.output) : null;
    const line =
      part.state === "input-streaming" ? null
      : failure !== null ? `✗ ${titleOf(part)}: ${failure}`
      : part.state === "output-denied" ? `✗ ${titleOf(part)}: denied`
      : part.state === "output-available" && !isInterruptedOutput(part.output) ? `✓ ${titleOf(part)}`
      : `• ${titleOf(part)}`;
    if (line === null || line === shown) return;
    // "• started" then "✓ done" would say the same twice: a call that finished quietly keeps its first line.
    if (shown?.startsWith("•") && line.startsWith("✓")) return void this.printed.set(key, line);
    this.endLine();
    this.output.say(line);
    this.printed.set(key, line);
  }
}

function hasError(output: unknown): boolean {
  return typeof output === "object" && output !== null && typeof (output as { error?: unknown }).error === "string";
}
