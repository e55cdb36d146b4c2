import { describe, expect, it } from "vitest";
import { recentPast, seedClock } from "./seed-clock";
import { formatRfc2822, formatRfc3339, parseRfc3339, zonedInstant } from "./time";

describe("time zone arithmetic", () => {
  it("finds local wall-clock times on both sides of daylight saving changes", () => {
    const day = (year: number, month: number, dayOfMonth: number) => ({ year, month, day: dayOfMonth });
    expect(zonedInstant(day(2025, 3, 8), 9, 30, "America/New_York").toISOString()).toBe("2025-03-08T14:30:00.000Z");
    expect(zonedInstant(day(2025, 3, 9), 9, 30, "America/New_York").toISOString()).toBe("2025-03-09T13:30:00.000Z");
    expect(zonedInstant(day(2025, 11, 2), 9, 30, "America/New_York").toISOString()).toBe("2025-11-02T14:30:00.000Z");
    expect(zonedInstant(day(2025, 3, 30), 1, 30, "Europe/Berlin").toISOString()).toBe("2025-03-30T00:30:00.000Z");
    expect(zonedInstant(day(2025, 6, 1), 9, 0, "Asia/Kolkata").toISOString()).toBe("2025-06-01T03:30:00.000Z");
  });

  it("formats RFC 3339 with the zone's offset and RFC 2822 for mail", () => {
    const instant = new Date("2025-03-10T13:30:00Z");
    expect(formatRfc3339(instant, "America/New_York")).toBe("2025-03-10T09:30:00-04:00");
    expect(formatRfc3339(instant, "UTC")).toBe("2025-03-10T13:30:00Z");
    expect(formatRfc3339(instant, "Asia/Kolkata")).toBe("2025-03-10T19:00:00+05:30");
    expect(formatRfc2822(instant, "America/New_York")).toBe("Mon, 10 Mar 2025 09:30:00 -0400");
  });

  it("parses RFC 3339 only with an explicit offset", () => {
    expect(parseRfc3339("2025-03-10T09:30:00.123-04:00")?.toISOString()).toBe("2025-03-10T13:30:00.123Z");
    expect(parseRfc3339("2025-03-10T09:30:00")).toBeUndefined();
    expect(parseRfc3339("yesterday")).toBeUndefined();
  });

  it("dates recent seed activity in the past, whatever the hour", () => {
    const early = seedClock(new Date("2025-03-10T10:00:00Z"), "America/New_York"); // 06:00 local
    expect(recentPast(early, 0, "07:42").toISOString()).toBe("2025-03-09T11:42:00.000Z");
    const late = seedClock(new Date("2025-03-10T16:00:00Z"), "America/New_York"); // 12:00 local
    expect(recentPast(late, 0, "07:42").toISOString()).toBe("2025-03-10T11:42:00.000Z");
    expect(recentPast(late, 2, "07:42").toISOString()).toBe("2025-03-08T12:42:00.000Z");
  });
});
