import { describe, expect, it } from "vitest";
import { waitAsked } from "./http";

// How long a provider asked to wait, from the headers each documents.
const NOW = Date.parse("2026-03-02T10:00:00Z");
const wait = (headers: Record<string, string>) => waitAsked(new Headers(headers), NOW);

describe("waitAsked", () => {
  it("reads Retry-After as seconds or as an HTTP date (Slack, GitHub secondary limits)", () => {
    expect(wait({ "retry-after": "30" })).toBe(30);
    expect(wait({ "retry-after": "Mon, 02 Mar 2026 10:01:30 GMT" })).toBe(90);
  });

  it("reads GitHub's exhausted primary limit as the time left until x-ratelimit-reset", () => {
    const reset = String(NOW / 1000 + 600);
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset })).toBe(600);
    // Requests left: the reset says nothing about this refusal.
    expect(wait({ "x-ratelimit-remaining": "12", "x-ratelimit-reset": reset })).toBeUndefined();
    // A reset already past asks for no wait at all.
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 - 5) })).toBe(0);
  });

  it("prefers Retry-After, and ignores what is not a wait", () => {
    expect(wait({ "retry-after": "5", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 600) })).toBe(5);
    for (const value of ["soon", "-3", "", "1e9"]) expect(wait({ "retry-after": value })).toBeUndefined();
    expect(wait({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "tomorrow" })).toBeUndefined();
  });
});
