import { tool } from "ai";
import { z } from "zod";
import { withTokenVault } from "@/lib/auth/with-token-vault";
import { localTime, toZonedIso, todayIn, zonedInstant } from "@/lib/chat/time";
import { queryFreeBusy } from "@/lib/integrations/google";
import type { ToolContext } from "./context";

export const FREEBUSY_SCOPE = "https://www.googleapis.com/auth/calendar.freebusy";

export function checkAvailability(context: ToolContext) {
  const { timeZone } = context;
  return tool({
    description: "Check on the user's Google Calendar whether they are free or busy at a given time.",
    inputSchema: z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe("The day, as YYYY-MM-DD; today if omitted.").optional(),
      time: z.string().regex(/^\d{2}:\d{2}$/).describe("The start time, as HH:MM (24-hour) in the user's time zone."),
      durationMinutes: z.number().int().min(5).max(480).describe("How long the slot is, in minutes.").optional(),
    }),
    execute: withTokenVault(context, { connection: "google-oauth2", scopes: [FREEBUSY_SCOPE] }, async (input, token) => {
      const date = input.date ?? todayIn(timeZone);
      const start = zonedInstant(date, input.time, timeZone);
      const end = new Date(start.getTime() + (input.durationMinutes ?? 30) * 60_000);
      const busy = await queryFreeBusy(token, { timeMin: toZonedIso(start, timeZone), timeMax: toZonedIso(end, timeZone) });
      return {
        date,
        from: input.time,
        to: localTime(end.toISOString(), timeZone),
        free: busy.length === 0,
        busy: busy.map((slot) => ({ from: localTime(slot.start, timeZone), to: localTime(slot.end, timeZone) })),
      };
    }),
  });
}
