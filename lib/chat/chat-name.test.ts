import { describe, expect, it } from "vitest";
import { chatNameSchema } from "./chat-name";
import { MAX_CHAT_NAME_LENGTH } from "./limits";

const problem = (value: unknown) => {
  const parsed = chatNameSchema.safeParse(value);
  return parsed.success ? null : parsed.error.issues[0]?.message;
};

describe("a chat name", () => {
  it("is kept as typed, only trimmed", () => {
    expect(chatNameSchema.parse("  Trip to Zürich (Q3) — 1,250.50 € budget \u00a0")).toBe("Trip to Zürich (Q3) — 1,250.50 € budget");
    expect(chatNameSchema.parse("Ask ada.lovelace+notes@example.com 👩🏽‍💻")).toBe("Ask ada.lovelace+notes@example.com 👩🏽‍💻");
  });

  it("must have something left after trimming", () => {
    for (const blank of ["", "   ", "\u3000\u00a0"]) expect(problem(blank), JSON.stringify(blank)).toBe("Enter a name for the chat.");
  });

  it("counts characters, not UTF-16 units: 100 emoji fit, 101 letters do not", () => {
    expect(chatNameSchema.parse("🚀".repeat(MAX_CHAT_NAME_LENGTH))).toHaveLength(2 * MAX_CHAT_NAME_LENGTH);
    expect(chatNameSchema.parse(`  ${"é".repeat(MAX_CHAT_NAME_LENGTH)}  `)).toBe("é".repeat(MAX_CHAT_NAME_LENGTH));
    expect(problem("x".repeat(MAX_CHAT_NAME_LENGTH + 1))).toBe(`A chat name can be at most ${MAX_CHAT_NAME_LENGTH} characters; this one has ${MAX_CHAT_NAME_LENGTH + 1}.`);
  });

  it("refuses control characters inside it, which trimming does not remove", () => {
    for (const name of ["Line one\nline two", "Tab\there", "Bell\u0007", "Delete\u007f", "C1\u0085control"]) {
      expect(problem(name), JSON.stringify(name)).toBe("A chat name cannot contain line breaks, tabs or other control characters.");
    }
  });

  it("refuses half of a surrogate pair", () => {
    expect(problem("Broken \ud83d name")).toBe("The name contains a broken character. Type it again.");
  });

  it("must be text", () => {
    for (const value of [undefined, null, 42, ["Trip"]]) expect(problem(value)).toBe("Send the chat's new name as text.");
  });
});
