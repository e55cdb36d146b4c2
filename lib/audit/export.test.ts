import { describe, expect, it } from "vitest";
import { csvField, exportFilename } from "./export";

describe("csvField", () => {
  it.each([
    ["plain", "plain"],
    ["a, b", '"a, b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["Grüße, 東京", '"Grüße, 東京"'],
    ["Grüße", "Grüße"],
  ])("quotes only what RFC 4180 requires: %j", (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it.each(["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])("neutralises a formula: %j", (value) => {
    expect(csvField(value)).toBe(`"'${value.replace(/"/g, '""')}"`);
  });

  it("leaves numbers and empty values as they are and writes objects as JSON", () => {
    expect(csvField(42)).toBe("42");
    expect(csvField(null)).toBe("");
    expect(csvField({ a: "b,c" })).toBe('"{""a"":""b,c""}"');
  });
});

it("names the file with ASCII only", () => {
  expect(exportFilename("csv", new Date("2026-03-04T05:06:07Z"))).toBe("delegate-activity-2026-03-04.csv");
  expect(exportFilename("jsonl", new Date("2026-03-04T05:06:07Z"))).toBe("delegate-activity-2026-03-04.jsonl");
});
