"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/** The browser's time zone once hydrated; null on the server, which does not know where the user is. */
function useBrowserTimeZone(): string | null {
  return useSyncExternalStore(subscribe, () => Intl.DateTimeFormat().resolvedOptions().timeZone, () => null);
}

/** An instant in the user's time zone (in `fallbackZone` until the browser says which zone it is in). */
export function LocalTime({ iso, fallbackZone }: { iso: string; fallbackZone: string }) {
  const timeZone = useBrowserTimeZone() ?? fallbackZone;
  const text = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit", timeZone, timeZoneName: "short" }).format(new Date(iso));
  return <time dateTime={iso}>{text}</time>;
}

/** Sends the browser's time zone with the filter form, so "from" and "to" dates mean the user's days. */
export function TimeZoneField({ fallbackZone }: { fallbackZone: string }) {
  return <input type="hidden" name="tz" value={useBrowserTimeZone() ?? fallbackZone} />;
}
