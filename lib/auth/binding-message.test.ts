import { describe, expect, it } from "vitest";
import { bindingMessage, isValidBindingMessage, toBindingMessageText } from "./binding-message";

const purchase = (name: string, quantity: number, maxTotal: string, currency = "USD", id = "item") =>
  bindingMessage((product) => `Buy ${quantity} x ${product} for at most ${maxTotal} ${currency}`, name, id);

describe("binding messages within Auth0's rules", () => {
  it.each([
    ["parentheses", "USB-C cable (2 m)", 1, "12.50", "Buy 1 x USB-C cable 2 m for at most 12.50 USD"],
    ["accents", "Café crème filters", 2, "7.00", "Buy 2 x Cafe creme filters for at most 7.00 USD"],
    ["quotes and an apostrophe", `"Deluxe" 12" kid's pizza`, 1, "9.99", "Buy 1 x Deluxe 12 kids pizza for at most 9.99 USD"],
    ["an emoji", "Coffee ☕ beans", 3, "74.70", "Buy 3 x Coffee beans for at most 74.70 USD"],
    ["another script beside Latin", "日本 green tea", 1, "5.00", "Buy 1 x green tea for at most 5.00 USD"],
    ["full-width digits and a ligature", "Oﬃce chair ２", 1, "150.00", "Buy 1 x Office chair 2 for at most 150.00 USD"],
    ["a tab and a newline", "Acme\tWidget\nPro", 1, "19.99", "Buy 1 x Acme Widget Pro for at most 19.99 USD"],
    ["a comma and a hash", "Coffee beans, 1 kg #3", 1, "24.90", "Buy 1 x Coffee beans, 1 kg #3 for at most 24.90 USD"],
  ])("cleans %s out of the product name", (_label, name, quantity, maxTotal, expected) => {
    expect(purchase(name, quantity, maxTotal)).toBe(expected);
  });

  it("shortens a long name at a word boundary and keeps quantity, price cap and currency whole", () => {
    const message = purchase("Professional noise-cancelling over-ear wireless headphones with case", 100, "24900.00");
    expect(message).toBe("Buy 100 x Professional noise... for at most 24900.00 USD");
    expect(message.length).toBeLessThanOrEqual(64);
    expect(isValidBindingMessage(message)).toBe(true);
  });

  it("cuts a single very long word and still marks the cut", () => {
    const message = purchase("Supercalifragilisticexpialidocious".repeat(3), 2, "1.50");
    expect(message).toMatch(/^Buy 2 x Supercalifragilistic\w*\.\.\. for at most 1\.50 USD$/);
    expect(message.length).toBeLessThanOrEqual(64);
  });

  it("falls back to the next name when one has nothing left once cleaned", () => {
    expect(purchase("日本茶 🍵", 1, "5.00", "JPY", "green-tea")).toBe("Buy 1 x green-tea for at most 5.00 JPY");
  });

  it("refuses a template that cannot fit, rather than cutting off the price", () => {
    expect(() => purchase("Widget", 1, "1".repeat(60))).toThrow(/No binding message fits/);
  });

  it.each([
    ["x".repeat(64), true],
    ["x".repeat(65), false],
    ["Buy 1 x Acme Widget, total 19.99 USD #42", true],
    ["Buy 1 x Acme Widget for $19.99", false],
    ["Buy 1 x Café", false],
    ["", false],
  ])("checks %j", (message, valid) => {
    expect(isValidBindingMessage(message)).toBe(valid);
  });

  it("leaves allowed text as it is", () => {
    expect(toBindingMessageText("Order #42: 3 x A-B_C, 1.5 kg +1")).toBe("Order #42: 3 x A-B_C, 1.5 kg +1");
  });
});
