import { expect, it } from "vitest";
import { storable } from "./storable";

it("drops NUL and turns lone surrogates into U+FFFD, in keys and values at any depth, and keeps the rest as it is", () => {
  const when = new Date(0);
  const value = {
    "key\u0000": ["a\u0000b", "lone high \ud800 end", "lone low \udc00", "pair 👍 é", 12.5, null, true],
    nested: { deeper: [{ text: "\ud83d" }] },
    when,
  };
  const stored = storable(value);
  expect(stored).toEqual({
    key: ["ab", "lone high \ufffd end", "lone low \ufffd", "pair 👍 é", 12.5, null, true],
    nested: { deeper: [{ text: "\ufffd" }] },
    when,
  });
  expect(stored.when).toBe(when);
  expect(storable("plain")).toBe("plain");
});
