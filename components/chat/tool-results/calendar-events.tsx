import { z } from "zod";

/** What get_calendar_events returns (lib/ai/tools/get-calendar-events.ts): local "HH:MM" times, or "all day". */
export const calendarEventsOutput = z.object({
  date: z.iso.date(),
  timeZone: z.string(),
  events: z.array(z.object({ title: z.string(), start: z.string(), end: z.string().optional(), location: z.string().optional() })),
});

const isClockTime = (value: string) => /^\d{2}:\d{2}$/.test(value);

/** "Wednesday 2 December": the same on the server and in every browser (fixed locale, the date's own day). */
function longDate(isoDate: string): string {
  return new Date(`${isoDate}T00:00:00Z`).toLocaleDateString("en-GB", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long" });
}

function Clock({ value }: { value: string }) {
  return isClockTime(value) ? <time dateTime={value}>{value}</time> : <>{value}</>;
}

/** A day's events as a list of times and titles. */
export function CalendarEvents({ output: { date, timeZone, events } }: { output: z.infer<typeof calendarEventsOutput> }) {
  const day = longDate(date);
  return (
    <div className="mt-2">
      <p className="text-xs text-zinc-600">
        <time dateTime={date}>{day}</time> · {timeZone}
      </p>
      {events.length === 0 ? (
        <p className="mt-1 text-zinc-700">No events.</p>
      ) : (
        <ul aria-label={`Events on ${day}`} className="mt-1 divide-y divide-zinc-200">
          {events.map((event, index) => (
            <li key={index} className="flex gap-3 py-1.5">
              <span className="w-24 shrink-0 tabular-nums text-zinc-600">
                <Clock value={event.start} />
                {event.end && (
                  <>
                    –<Clock value={event.end} />
                  </>
                )}
              </span>
              <span className="min-w-0 wrap-anywhere">
                <span className="font-medium text-zinc-900">{event.title}</span>
                {event.location && <span className="block text-xs text-zinc-600">{event.location}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
