import { recentPast, type SeedClock } from "../seed-clock";
import type { SeedEvent } from "./seed";

/** Where API links point (this server's /github), and the clock that dates the activity. */
export interface GithubView {
  apiBase: string;
  clock: SeedClock;
}

// Web links use a reserved example host rather than github.com, where these logins belong to real people.
export const WEB_BASE = "https://github.example.com";

/** GitHub writes timestamps as ISO 8601 in UTC without fractions of a second. */
export const timestamp = (instant: Date) => instant.toISOString().replace(/\.\d{3}Z$/, "Z");

export function eventTime(event: SeedEvent, view: GithubView): Date {
  return recentPast(view.clock, event.at.daysBefore, event.at.at);
}
