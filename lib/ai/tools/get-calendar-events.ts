import { z } from "zod";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { listCalendarEvents } from "@/lib/integrations/google";
import { addDays, localTime, toZonedIso, todayIn, zonedInstant } from "@/lib/time";
import { declareTool } from "./pipeline";

export const CALENDAR_EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events.readonly";

export const getCalendarEvents = declareTool({
  name: "get_calendar_events",
  title: "Read your calendar",
  about: "Lists the events on your Google Calendar for a day.",
  description: "List the events on the user's Google Calendar for one day (today unless another date is given).",
  risk: "read",
  inputSchema: z.object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .describe("The day to list, as YYYY-MM-DD in the user's time zone.")
      .optional(),
  }),
  authorizers: [tokenVault("google-oauth2", [CALENDAR_EVENTS_SCOPE])],
  summary: ({ date }) => `Listed Google Calendar events for ${date ?? "today"}`,
  run: async ({ date }, { context: { timeZone }, accessToken, entered }) => {
    const day = date ?? todayIn(timeZone);
    const events = await listCalendarEvents(accessToken(), {
      timeMin: toZonedIso(zonedInstant(day, "00:00", timeZone), timeZone),
      timeMax: toZonedIso(zonedInstant(addDays(day, 1), "00:00", timeZone), timeZone),
    });
    entered({ calendarEvents: events.flatMap((event) => (event.id ? [event.id] : [])) });
    return {
      date: day,
      timeZone,
      events: events.map((event) => ({
        title: event.summary ?? "(no title)",
        start: event.start.dateTime ? localTime(event.start.dateTime, timeZone) : "all day",
        end: event.end.dateTime ? localTime(event.end.dateTime, timeZone) : undefined,
        location: event.location,
      })),
    };
  },
});
