import { Router, type Request } from "express";
import { grantOf } from "../../access";
import { isTimeZone } from "../../../../lib/time";
import { formatRfc3339, parseRfc3339 } from "../../time";
import { requireGoogleScopes } from "../auth";
import type { GoogleContext } from "../context";
import { badRequest, notFound } from "../errors";
import { eventsList, freeBusyQuery } from "../methods";
import { booleanParam, integerParam, paginate, stringParam } from "../params";
import { calendarEntries, calendarOwnerEmail, colleagues, type CalendarEntry, renderEvent, responseOf } from "./events";

/**
 * The owner's email when `calendarId` names the token user's own primary calendar ("primary" or the
 * address); undefined for a user the sandbox has no seed for, whose calendar is empty.
 */
function ownCalendar(sub: string, calendarId: string): string | undefined {
  const owner = calendarOwnerEmail(sub);
  if (calendarId !== "primary" && calendarId !== owner) throw notFound();
  return owner;
}

function timeParam(req: Request, name: string): Date | undefined {
  const value = stringParam(req, name);
  if (value === undefined) return undefined;
  const instant = parseRfc3339(value);
  if (!instant) throw badRequest("Bad Request", "badRequest", name);
  return instant;
}

function timeZoneParam(value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !isTimeZone(value)) throw badRequest(`Invalid time zone: ${String(value)}`, "invalid", "timeZone");
  return value;
}

// Google's free-text event search looks at the summary, description, location and the people.
function matchesText(entry: CalendarEntry, q: string): boolean {
  const { seed } = entry;
  const haystack = [seed.summary, seed.description, seed.location, seed.organizer, ...Object.keys(seed.guests ?? {})]
    .join(" ")
    .toLowerCase();
  return q.toLowerCase().split(/\s+/).filter(Boolean).every((word) => haystack.includes(word));
}

/** Busy periods inside [timeMin, timeMax), clipped to it, with touching or overlapping ones merged. */
function busyPeriods(entries: CalendarEntry[], owner: string, timeMin: Date, timeMax: Date) {
  const periods: { start: number; end: number }[] = [];
  for (const entry of entries) {
    if (responseOf(entry, owner) === "declined") continue;
    const start = Math.max(entry.start.getTime(), timeMin.getTime());
    const end = Math.min(entry.end.getTime(), timeMax.getTime());
    if (start >= end) continue;
    const last = periods.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else periods.push({ start, end });
  }
  return periods;
}

export function calendarRoutes(context: GoogleContext): Router {
  const router = Router();

  router.get("/calendar/v3/calendars/:calendarId/events", requireGoogleScopes(context.verify, eventsList), (req, res) => {
    const clock = context.clock();
    const owner = ownCalendar(grantOf(res).sub, String(req.params.calendarId));
    const timeMin = timeParam(req, "timeMin");
    const timeMax = timeParam(req, "timeMax");
    if (timeMin && timeMax && timeMin >= timeMax) {
      throw badRequest("The specified time range is empty.", "timeRangeEmpty", "timeMax");
    }
    const orderBy = stringParam(req, "orderBy");
    if (orderBy !== undefined && orderBy !== "startTime" && orderBy !== "updated") {
      throw badRequest(`Invalid value for: ${orderBy} is not a valid value`, "invalid", "orderBy");
    }
    // Ordering by start time is only defined once recurring events are expanded into instances.
    if (orderBy === "startTime" && !booleanParam(req, "singleEvents")) {
      throw badRequest("The requested ordering is not available for the particular query.", "badRequest", "orderBy");
    }
    const maxResults = integerParam(req, "maxResults", { min: 1, max: 2500, fallback: 250 });
    const responseZone = timeZoneParam(req.query.timeZone, clock.timeZone);
    const q = stringParam(req, "q");

    // timeMin bounds the end and timeMax the start, both exclusive: every event overlapping the range.
    const entries = (owner ? calendarEntries(owner, clock) : [])
      .filter((entry) => (!timeMin || entry.end > timeMin) && (!timeMax || entry.start < timeMax))
      .filter((entry) => !q || matchesText(entry, q));
    if (orderBy === "updated") entries.sort((a, b) => a.updated.getTime() - b.updated.getTime());
    const { page, nextPageToken } = paginate(req, entries, maxResults);
    const updated = entries.reduce((latest, entry) => Math.max(latest, entry.updated.getTime()), 0);

    res.json({
      kind: "calendar#events",
      etag: `"p${updated}"`,
      summary: owner ?? "primary",
      updated: new Date(updated || clock.now.getTime()).toISOString(),
      timeZone: clock.timeZone,
      accessRole: "owner",
      defaultReminders: [{ method: "popup", minutes: 10 }],
      ...(nextPageToken ? { nextPageToken } : {}),
      items: page.map((entry) =>
        renderEvent(entry, owner ?? "", { calendar: clock.timeZone, response: responseZone }),
      ),
    });
  });

  router.post("/calendar/v3/freeBusy", requireGoogleScopes(context.verify, freeBusyQuery), (req, res) => {
    const clock = context.clock();
    const body: Record<string, unknown> = typeof req.body === "object" && req.body !== null ? req.body : {};
    const [timeMin, timeMax] = (["timeMin", "timeMax"] as const).map((name) => {
      if (body[name] === undefined) throw badRequest(`Missing ${name} parameter.`, "required", name);
      const instant = parseRfc3339(body[name]);
      if (!instant) throw badRequest("Bad Request", "badRequest", name);
      return instant;
    }) as [Date, Date];
    if (timeMin >= timeMax) throw badRequest("The specified time range is empty.", "timeRangeEmpty", "timeMax");
    // The default is UTC here, unlike events.list, whose default is the calendar's zone.
    const responseZone = timeZoneParam(body.timeZone, "UTC");
    const items = Array.isArray(body.items) ? body.items : [];

    const owner = calendarOwnerEmail(grantOf(res).sub);
    const busyOf = (email: string | undefined) =>
      busyPeriods(email ? calendarEntries(email, clock) : [], email ?? "", timeMin, timeMax).map((period) => ({
        start: formatRfc3339(new Date(period.start), responseZone),
        end: formatRfc3339(new Date(period.end), responseZone),
      }));
    // freebusy.query answers 200 with `errors` (and an empty `busy`) for each calendar it cannot read: "notFound"
    // for one that does not exist or is not shared. Workspace shares free/busy within the organisation by default,
    // so a colleague's calendar is readable; anyone else's is not.
    const calendars = Object.fromEntries(
      items.map((item: unknown) => {
        const id = typeof item === "object" && item !== null && "id" in item ? String(item.id) : "";
        const readable = id === "primary" || (owner !== undefined && colleagues(owner, id));
        return [id, readable ? { busy: busyOf(id === "primary" ? owner : id) } : { errors: [{ domain: "global", reason: "notFound" }], busy: [] }];
      }),
    );

    res.json({ kind: "calendar#freeBusy", timeMin: timeMin.toISOString(), timeMax: timeMax.toISOString(), calendars });
  });

  return router;
}
