import { describe, expect, it } from "vitest";
import { approvalFields, authorizationDetailFields, summarizeToolOutput, toolTitle } from "./tool-summary";

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
  it("truncates long text", () => {
    expect(summarizeToolOutput("x".repeat(500))).toHaveLength(140);
  });

  it("heads a tool with its declared title, and spells out a name no declaration knows", () => {
    const declared = { buy_product: "Buy products" };
    expect(toolTitle("buy_product", declared)).toBe("Buy products");
    expect(toolTitle("get_user_profile", declared)).toBe("Get user profile");
    // A name is never looked up on the object's prototype.
    expect(toolTitle("constructor", declared)).toBe("Constructor");
  });

  it("gives what the user approves in full: every field labelled, long text and nested values uncut", () => {
    const body = `Hello (Zoë),\n\n| a | b |\n| - | - |\n${"x".repeat(5_000)}\nhttps://example.com/?q=1 — last line.`;
    expect(approvalFields({ to: "bob@example.com", subject: "Lunch", body, maxTotal: 39.98, giftWrap: false, lines: [{ sku: "W-1" }] })).toEqual([
      { key: "to", label: "To", value: "bob@example.com" },
      { key: "subject", label: "Subject", value: "Lunch" },
      { key: "body", label: "Body", value: body },
      { key: "maxTotal", label: "Max total", value: "39.98" },
      { key: "giftWrap", label: "Gift wrap", value: "false" },
      { key: "lines", label: "Lines", value: '[\n  {\n    "sku": "W-1"\n  }\n]' },
    ]);
    expect(approvalFields({})).toEqual([]);
    expect(approvalFields("a bare input")).toEqual([{ key: "input", label: "Input", value: "a bare input" }]);
  });

  it("lists a Guardian authorization detail as Guardian does: displayed properties only, by display_order, in full", () => {
    const longName = `Cable ${"(2 m) ".repeat(40)}`.trim();
    const shown = (display_order: string, name: string, value: string) => ({ display: true, name, display_order, value });
    expect(
      authorizationDetailFields({
        type: "urn:auth0:schemas:authorization-details:v1:purchase",
        instruction: "Buy it",
        properties: {
          currency: shown("10", "Currency", "EUR"),
          product: shown("1", "Product:", longName),
          sku: { display: false, name: "SKU", display_order: "0", value: "C-2" },
          max_total_price: shown("2", "Maximum total", "1,234.50"),
        },
      }),
    ).toEqual([
      { key: "product", label: "Product", value: longName },
      { key: "max_total_price", label: "Maximum total", value: "1,234.50" },
      { key: "currency", label: "Currency", value: "EUR" },
    ]);
  });
});
