import { afterEach, describe, expect, it, vi } from "vitest";
import { hasUnsafeText, safeText } from "./safe-text";
import { nodeTerminal } from "./terminal";

describe("text from the server in the terminal", () => {
  afterEach(() => vi.restoreAllMocks());

  it("shows escape sequences, carriage returns and bidi overrides instead of obeying them", () => {
    const rewrite = "Hi,\x1b[3A\x1b[2K\r  To: boss@example.com";
    expect(safeText(rewrite)).toBe("Hi,\\x1b[3A\\x1b[2K\\x0d  To: boss@example.com");
    expect(safeText("\x1b]8;;https://evil.example/\x07https://delegate.example.com\x1b]8;;\x07")).not.toContain("\x1b");
    expect(safeText("invoice\u202Efdp.exe")).toBe("invoice\\u202efdp.exe");
    expect(safeText("\x9b2J")).toBe("\\x9b2J");
    expect(hasUnsafeText(rewrite)).toBe(true);
  });

  it("leaves ordinary text alone: newlines, tabs, accents, emoji, right-to-left script", () => {
    const text = "Zoë — 12.5% (Q3)\n\tاجتماع 🎉 https://example.com/a?b=1&c=2";
    expect(safeText(text)).toBe(text);
    expect(hasUnsafeText(text)).toBe(false);
  });

  it("is applied by the real terminal to everything it prints", () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const terminal = nodeTerminal();
    terminal.write("answer\x1b[2J");
    terminal.say("line\x1b[1A");
    terminal.close();
    expect(out).toHaveBeenCalledWith("answer\\x1b[2J");
    expect(err).toHaveBeenCalledWith("line\\x1b[1A\n");
  });
});
