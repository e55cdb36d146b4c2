import { describe, expect, it } from "vitest";
import { addDays, isTimeZone, localTime, todayIn, toZonedIso, zonedInstant } from "./time";

describe("time in the user's zone", () => {
  it("finds the instant of a wall-clock time, across DST", () => {
    expect(zonedInstant("2026-11-23", "09:30", "Europe/Paris").toISOString()).toBe("2026-11-23T08:30:00.000Z");
    expect(zonedInstant("2026-07-01", "09:30", "Europe/Paris").toISOString()).toBe("2026-07-01T07:30:00.000Z");
    expect(zonedInstant("2026-03-08", "12:00", "America/New_York").toISOString()).toBe("2026-03-08T16:00:00.000Z");
    expect(zonedInstant("2026-11-23", "00:00", "UTC").toISOString()).toBe("2026-11-23T00:00:00.000Z");
  });

  it("formats RFC 3339 with the zone's offset and reads local times back", () => {
    expect(toZonedIso(new Date("2026-11-23T08:30:00Z"), "Europe/Paris")).toBe("2026-11-23T09:30:00+01:00");
    expect(toZonedIso(new Date("2026-11-23T08:30:00Z"), "Asia/Kolkata")).toBe("2026-11-23T14:00:00+05:30");
    expect(localTime("2026-11-23T08:30:00Z", "America/Los_Angeles")).toBe("00:30");
  });

  it("knows today's date where the user is, and adds days across month ends", () => {
    expect(todayIn("Pacific/Kiritimati", new Date("2026-11-23T20:00:00Z"))).toBe("2026-11-24");
    expect(todayIn("America/Los_Angeles", new Date("2026-11-23T05:00:00Z"))).toBe("2026-11-22");
    expect(addDays("2026-11-30", 1)).toBe("2026-12-01");
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
