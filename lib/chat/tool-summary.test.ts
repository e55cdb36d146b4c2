import { describe, expect, it } from "vitest";
import { summarizeToolOutput, toolTitle } from "./tool-summary";

describe("tool summaries", () => {
  it("renders flat objects as labelled values", () => {
    expect(summarizeToolOutput({ name: "Alice Martin", email: "alice@example.com" })).toBe(
      "Name: Alice Martin · Email: alice@example.com",
    );
  });
  it("counts arrays and surfaces errors", () => {
    expect(summarizeToolOutput([1, 2, 3])).toBe("3 items");
    expect(summarizeToolOutput({ events: [{}], date: "2026-11-23" })).toBe("Events: 1 item · Date: 2026-11-23");
    expect(summarizeToolOutput({ error: "Calendar is unavailable" })).toBe("Calendar is unavailable");
  });
  it("truncates long text and names tools readably", () => {
    expect(summarizeToolOutput("x".repeat(500))).toHaveLength(140);
    expect(toolTitle("get_user_profile")).toBe("Get user profile");
  });
});
