/**
 * Wall-clock arithmetic in IANA time zones with nothing but `Intl`: the seed data is written in local
 * times ("09:30 today"), while the APIs speak in instants with explicit offsets. The wall clock itself is the app's
 * (lib/time.ts).
 */
import { offsetMinutes, wallClock } from "../../lib/time";

/** A calendar day with no time zone attached, e.g. what "today" is for someone in Berlin. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilDateOf(instant: Date, timeZone: string): CivilDate {
  const { year, month, day } = wallClock(instant, timeZone);
  return { year, month, day };
}

export function addDays(date: CivilDate, days: number): CivilDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

/** The instant at which clocks in `timeZone` show `hour:minute` on `date`. */
export function zonedInstant(date: CivilDate, hour: number, minute: number, timeZone: string): Date {
  const wallAsUtc = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const firstGuess = wallAsUtc - offsetMinutes(new Date(wallAsUtc), timeZone) * 60_000;
  // The offset at the guess can differ from the one at the answer on a DST changeover day; a second
  // pass with the offset in force at the first guess lands on the right side of the change.
  return new Date(wallAsUtc - offsetMinutes(new Date(firstGuess), timeZone) * 60_000);
}

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

function formatOffset(minutes: number, separator: string): string {
  const sign = minutes < 0 ? "-" : "+";
  const magnitude = Math.abs(minutes);
  return `${sign}${pad(Math.floor(magnitude / 60))}${separator}${pad(magnitude % 60)}`;
}

/** RFC 3339 in the zone's local time with its offset, e.g. 2025-03-10T09:30:00-04:00 ("Z" at UTC), as Google writes it. */
export function formatRfc3339(instant: Date, timeZone: string): string {
  const wall = wallClock(instant, timeZone);
  const offset = offsetMinutes(instant, timeZone);
  const local = `${wall.year}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
  return `${local}${offset === 0 ? "Z" : formatOffset(offset, ":")}`;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 2822 date, e.g. "Mon, 10 Mar 2025 08:15:00 -0400", as found in a mail's Date header. */
export function formatRfc2822(instant: Date, timeZone: string): string {
  const wall = wallClock(instant, timeZone);
  const weekday = WEEKDAYS[new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay()];
  const time = `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
  const offset = formatOffset(offsetMinutes(instant, timeZone), "");
  return `${weekday}, ${pad(wall.day)} ${MONTHS[wall.month - 1]} ${wall.year} ${time} ${offset}`;
}

/** "Monday, March 10, 2025", for seed text that mentions a date. */
export function formatLongDate(date: CivilDate): string {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).toLocaleDateString("en-US", {
    timeZone: "UTC",
    weekday: "long",
    month: "long",
    day: "numeric",
    year: "numeric",
  });
}

// Google requires the offset; a bare local time is rejected rather than guessed at.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Parses an RFC 3339 timestamp with a mandatory offset; undefined for anything else. */
export function parseRfc3339(value: unknown): Date | undefined {
  if (typeof value !== "string" || !RFC3339.test(value)) return undefined;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}
