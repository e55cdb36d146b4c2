import { addDays, civilDateOf, type CivilDate, zonedInstant } from "./time";

/**
 * "Now" as the seed data sees it. Built per request from the server's clock, so that "today" moves
 * with the calendar when a server keeps running past midnight.
 */
export interface SeedClock {
  now: Date;
  timeZone: string;
  today: CivilDate;
}

/** A local wall-clock time written as "HH:MM". */
export type LocalTime = `${number}:${number}`;

export function seedClock(now: Date, timeZone: string): SeedClock {
  return { now, timeZone, today: civilDateOf(now, timeZone) };
}

function parseLocalTime(time: LocalTime): [number, number] {
  const [hour, minute] = time.split(":").map(Number);
  return [hour ?? 0, minute ?? 0];
}

/** `time` on the day `dayOffset` days after today (negative: before), in the clock's zone. */
export function onDay(clock: SeedClock, dayOffset: number, time: LocalTime): Date {
  return zonedInstant(addDays(clock.today, dayOffset), ...parseLocalTime(time), clock.timeZone);
}

/**
 * The latest `time` that has already passed, moved `daysBefore` further days back. Mail and activity
 * must never be dated in the future, yet should stay recent whatever the hour the server runs at.
 */
export function recentPast(clock: SeedClock, daysBefore: number, time: LocalTime): Date {
  const today = onDay(clock, 0, time);
  const latest = today <= clock.now ? 0 : -1;
  return onDay(clock, latest - daysBefore, time);
}
