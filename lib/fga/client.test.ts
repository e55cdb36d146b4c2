import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stubOfflineConfig } from "@/lib/ai/tools/test-support";

stubOfflineConfig();
// The SDK checks the store id's format when the client is made.
beforeEach(() => vi.stubEnv("FGA_STORE_ID", "01HVMMBCMGZNT3SED4Z17ECXCA"));
afterEach(() => vi.restoreAllMocks());

describe("checkEach", () => {
  it("answers in the order asked, counts an errored item as a no, and tells the operator without the item's message", async () => {
    const { checkEach, getFga } = await import("./client");
    vi.spyOn(getFga(), "batchCheck").mockImplementation(async ({ checks }) => ({
      // FGA answers in any order; an errored item may even say allowed.
      result: [...checks].reverse().map((check) => ({
        request: check,
        correlationId: check.correlationId!,
        allowed: check.object !== "doc:b",
        ...(check.object === "doc:c" && { error: { input_error: "validation_error" as never, message: "doc:c secret-name" } }),
      })),
    }));
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const ask = (object: string) => ({ user: "user:u", relation: "can_view", object });

    expect(await checkEach(["doc:a", "doc:b", "doc:c", "doc:d"].map(ask))).toEqual([true, false, false, true]);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(String(logged.mock.calls[0]![0])).toMatch(/^\[fga\] batch-check item failed, counted as not allowed ref=\w+ name=CheckError code=validation_error$/);

    logged.mockClear();
    expect(await checkEach(["doc:a", "doc:b"].map(ask))).toEqual([true, false]);
    expect(logged).not.toHaveBeenCalled();
  });
});
