import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@/lib/ai/types";
import { Message, type InterruptHandlers } from "./message";

const handlers: InterruptHandlers = { chatId: "c", active: false, busy: false, failedToolCallId: null, onResume: () => {}, onCancel: () => {}, onApproval: () => {} };
const message = (id: string, role: "user" | "assistant", text: string) => ({ id, role, parts: [{ type: "text", text }] }) as ChatMessage;

describe("a message as an Activity link's target", () => {
  it("carries the element id an Activity link names, and can take focus without entering the tab order", () => {
    for (const role of ["user", "assistant"] as const) {
      const html = renderToStaticMarkup(<Message message={message("5f0c1e2a-turn", role, "How many vacation days do we get?")} interrupts={handlers} />);
      expect(html).toMatch(/^<article [^>]*id="message-5f0c1e2a-turn"/);
      expect(html).toMatch(/^<article [^>]*tabindex="-1"/);
      expect(html).not.toContain("aria-current");
    }
  });

  it("marks the linked message for screen readers and outlines it", () => {
    const html = renderToStaticMarkup(<Message message={message("m-1", "user", "Buy 2 Acme Widgets")} linked interrupts={handlers} />);
    expect(html).toMatch(/^<article aria-label="Your message" [^>]*aria-current="location"/);
    expect(html).toMatch(/class="[^"]*outline-amber-500/);
  });
});
