import { z } from "zod";
import { tokenVault } from "@/lib/auth/with-token-vault";
import { queryFreeBusy } from "@/lib/integrations/google";
import { localTime, toZonedIso, todayIn, zonedInstant } from "@/lib/time";
import { declareTool } from "./pipeline";

export const FREEBUSY_SCOPE = "https://www.googleapis.com/auth/calendar.freebusy";

const OWN_CALENDAR = "primary";

/** Why Google could not tell, in words the user can act on (reasons from the Calendar API's freebusy errors). */
function whyNotChecked(reason: string): string {
  switch (reason) {
    case "notFound":
      return "Google does not know this calendar, or it is not shared with you";
    case "internalError":
    case "backendError":
      return "Google could not read this calendar just now; try again later";
    case "groupTooBig":
    case "tooManyCalendarsRequested":
      return "too many calendars at once for Google";
    default:
      return "Google could not read this calendar";
  }
}

export const checkAvailability = declareTool({
  name: "check_availability",
  title: "Check when people are free",
  about: "Checks on Google Calendar whether you, or people you name by email, are free at a given time.",
  risk: "read",
  description:
    "Check on Google Calendar whether the user — and, if asked, other people by email address — are free or busy at a given time.",
  inputSchema: z.object({
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe("The day, as YYYY-MM-DD; today if omitted.").optional(),
    time: z.string().regex(/^\d{2}:\d{2}$/).describe("The start time, as HH:MM (24-hour) in the user's time zone."),
    durationMinutes: z.number().int().min(5).max(480).describe("How long the slot is, in minutes.").optional(),
    people: z
      .array(z.email())
      .max(20)
      .describe("Email addresses of other people whose calendars to check too; only the user's own if omitted.")
      .optional(),
  }),
  authorizers: [tokenVault("google-oauth2", [FREEBUSY_SCOPE])],
  summary: (input) => `Checked free/busy on ${input.date ?? "today"} at ${input.time} for ${1 + (input.people?.length ?? 0)} calendar(s)`,
  run: async (input, { context: { timeZone }, accessToken, entered }) => {
    const token = accessToken();
    const date = input.date ?? todayIn(timeZone);
    const start = zonedInstant(date, input.time, timeZone);
    const end = new Date(start.getTime() + (input.durationMinutes ?? 30) * 60_000);
    const calendars = [OWN_CALENDAR, ...new Set(input.people ?? [])];
    const answers = await queryFreeBusy(token, {
      timeMin: toZonedIso(start, timeZone),
      timeMax: toZonedIso(end, timeZone),
      calendars,
    });
    // Google's calendar ids: `primary` for the user's own, the email address for anyone else's.
    entered({ googleCalendars: answers.map((answer) => answer.calendar) });
    const name = (calendar: string) => (calendar === OWN_CALENDAR ? "your calendar" : calendar);
    const slots = (busy: { start: string; end: string }[]) => busy.map((slot) => ({ from: localTime(slot.start, timeZone), to: localTime(slot.end, timeZone) }));
    const calendarStates = answers.map((answer) =>
      "busy" in answer
        ? { calendar: name(answer.calendar), status: answer.busy.length === 0 ? "free" : "busy", busy: slots(answer.busy) }
        : { calendar: name(answer.calendar), status: "not checked", why: whyNotChecked(answer.error) },
    );
    const notChecked = calendarStates.filter((state) => state.status === "not checked").map((state) => state.calendar);
    // Free only when every calendar asked about was read and is free: one that could not be read is unknown, not free.
    const free = calendarStates.some((state) => state.status === "busy") ? false : notChecked.length > 0 ? "unknown" : true;
    return {
      date,
      from: input.time,
      to: localTime(end.toISOString(), timeZone),
      free,
      calendars: calendarStates,
      ...(notChecked.length > 0 ? { note: `Could not check ${notChecked.join(", ")}: do not report them as free.` } : {}),
    };
  },
});
