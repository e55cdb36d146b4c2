import { describe, expect, it } from "vitest";
import { approvalDeadline, approvalRequestReason } from "./approval-deadline";

describe("approval deadlines", () => {
  it("travel in the approval request's reason and come back to the millisecond", () => {
    const deadline = new Date("2026-11-23T14:05:07.123Z");
    expect(approvalRequestReason(deadline)).toBe("Answer by 2026-11-23T14:05:07.123Z");
    expect(approvalDeadline({ requestReason: approvalRequestReason(deadline) })).toEqual(deadline);
  });

  it("are absent from requests made without one, or with a reason of another kind", () => {
    expect(approvalDeadline(undefined)).toBeNull();
    expect(approvalDeadline({})).toBeNull();
    expect(approvalDeadline({ requestReason: "Sends email on your behalf" })).toBeNull();
    expect(approvalDeadline({ requestReason: "Answer by tomorrow" })).toBeNull();
  });
});
