import { findUserBySub, sandboxUsers } from "../../../identity/users";
import { onDay, type SeedClock } from "../../seed-clock";
import { stableNumber, stableString } from "../../stable-ids";
import { formatRfc3339 } from "../../time";
import { calendarSeed, type ResponseStatus, type SeedCalendarEvent } from "./seed";

/** A seeded event pinned to concrete instants for the current "today". */
export interface CalendarEntry {
  id: string;
  seed: SeedCalendarEvent;
  start: Date;
  end: Date;
  updated: Date;
}

/** The primary calendar is identified by the owner's email, as Google does. */
export function calendarOwnerEmail(sub: string): string | undefined {
  return findUserBySub(sub)?.email;
}

/** Whether `email` is a sandbox user in `owner`'s organisation (same domain), whose free/busy `owner` may see. */
export function colleagues(owner: string, email: string): boolean {
  const domain = (address: string) => address.slice(address.lastIndexOf("@") + 1);
  return sandboxUsers.some((user) => user.email === email) && domain(email) === domain(owner);
}

const displayName = (email: string) => sandboxUsers.find((user) => user.email === email)?.name;

// Calendar event ids use base32hex ("a"-"v" and digits), 5 to 1024 characters.
const BASE32HEX = "0123456789abcdefghijklmnopqrstuv";

function pin(seed: SeedCalendarEvent, clock: SeedClock): CalendarEntry {
  const start = onDay(clock, seed.day, seed.start);
  return {
    id: stableString(BASE32HEX, 26, "calendar", seed.key, start.toISOString()),
    seed,
    start,
    end: onDay(clock, seed.day, seed.end),
    // Last edited a week before it takes place, which is never in the future for upcoming events.
    updated: onDay(clock, Math.min(seed.day, 0) - 7, "10:00"),
  };
}

/** The events on `email`'s calendar, by start time. */
export function calendarEntries(email: string, clock: SeedClock): CalendarEntry[] {
  return calendarSeed
    .filter((seed) => seed.organizer === email || (seed.guests && email in seed.guests))
    .map((seed) => pin(seed, clock))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
}

export function responseOf(entry: CalendarEntry, email: string): ResponseStatus {
  return entry.seed.organizer === email ? "accepted" : (entry.seed.guests?.[email] ?? "needsAction");
}

function person(email: string, viewer: string) {
  const name = displayName(email);
  return { email, ...(name ? { displayName: name } : {}), ...(email === viewer ? { self: true } : {}) };
}

/** An Events resource as events.list returns it, with times written in `timeZone`. */
export function renderEvent(entry: CalendarEntry, viewer: string, zones: { calendar: string; response: string }) {
  const { seed } = entry;
  const guests = Object.entries(seed.guests ?? {});
  const created = new Date(entry.updated.getTime() - 60 * 60 * 1000);
  return {
    kind: "calendar#event",
    etag: `"${stableNumber(16, entry.id, entry.updated.getTime())}"`,
    id: entry.id,
    status: "confirmed",
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${entry.id} ${viewer}`).toString("base64url")}`,
    created: created.toISOString(),
    updated: entry.updated.toISOString(),
    summary: seed.summary,
    ...(seed.description ? { description: seed.description } : {}),
    ...(seed.location ? { location: seed.location } : {}),
    creator: person(seed.organizer, viewer),
    organizer: person(seed.organizer, viewer),
    start: { dateTime: formatRfc3339(entry.start, zones.response), timeZone: zones.calendar },
    end: { dateTime: formatRfc3339(entry.end, zones.response), timeZone: zones.calendar },
    iCalUID: `${entry.id}@google.com`,
    sequence: 0,
    // Google lists the organizer among the attendees once there are guests.
    ...(guests.length > 0
      ? {
          attendees: [
            { ...person(seed.organizer, viewer), organizer: true, responseStatus: "accepted" },
            ...guests.map(([email, responseStatus]) => ({ ...person(email, viewer), responseStatus })),
          ],
        }
      : {}),
    reminders: { useDefault: true },
    eventType: "default",
  };
}
