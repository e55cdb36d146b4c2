import { tool } from "ai";
import { z } from "zod";
import type { ToolContext } from "@/lib/auth/tool-context";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { listCalendarEvents } from "@/lib/integrations/google";
import { addDays, localTime, toZonedIso, todayIn, zonedInstant } from "@/lib/time";

export const CALENDAR_EVENTS_SCOPE = "https://www.googleapis.com/auth/calendar.events.readonly";

export function getCalendarEvents(context: ToolContext) {
  const { timeZone } = context;
  return tool({
    description: "List the events on the user's Google Calendar for one day (today unless another date is given).",
    inputSchema: z.object({
      date: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/)
        .describe("The day to list, as YYYY-MM-DD in the user's time zone.")
        .optional(),
    }),
    execute: withTokenVault(context, { connection: "google-oauth2", scopes: [CALENDAR_EVENTS_SCOPE] }, async ({ date }, token) => {
      const day = date ?? todayIn(timeZone);
      const events = await listCalendarEvents(token, {
        timeMin: toZonedIso(zonedInstant(day, "00:00", timeZone), timeZone),
        timeMax: toZonedIso(zonedInstant(addDays(day, 1), "00:00", timeZone), timeZone),
      });
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
    }),
  });
}
