import type { AuditCursor, AuditEventFilter } from "@/db/queries/audit";
import { AUDIT_OUTCOMES, type AuditOutcome } from "@/db/schema";
import { addDays, isTimeZone, zonedInstant } from "@/lib/time";

/**
 * The Activity page's URL query, shared by the page and the export so an exported file holds exactly what the
 * page shows: `action`, `tool`, `decision`, `outcome`, `from` and `to` (calendar dates, both inclusive, in `tz`), and
 * `after` (the keyset cursor of the next page). Empty values mean "any", as an untouched form field sends them.
 */
export interface ActivityQuery {
  filter: AuditEventFilter;
  after?: AuditCursor;
  timeZone: string;
  /** The values as given, for refilling the form and building links. */
  values: Record<FilterField, string>;
  /** What was wrong with the query, in words; the offending values are ignored. */
  problems: string[];
}

export const FILTER_FIELDS = ["action", "tool", "decision", "outcome", "from", "to", "tz"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NAME = /^[\w.:-]{1,100}$/;

const isDate = (value: string) => DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

export function parseActivityQuery(params: URLSearchParams): ActivityQuery {
  const values = Object.fromEntries(FILTER_FIELDS.map((field) => [field, params.get(field)?.trim() ?? ""])) as Record<FilterField, string>;
  const problems: string[] = [];
  const filter: AuditEventFilter = {};
  let timeZone = "UTC";
  if (values.tz) {
    if (isTimeZone(values.tz)) timeZone = values.tz;
    else problems.push(`Unknown time zone "${values.tz}"; dates are read in UTC.`);
  }
  if (values.action) {
    if (NAME.test(values.action)) filter.action = values.action;
    else problems.push("The action filter is not a valid action name.");
  }
  if (values.tool) {
    if (NAME.test(values.tool)) filter.tool = values.tool;
    else problems.push("The tool filter is not a valid tool name.");
  }
  if (values.decision) {
    if (NAME.test(values.decision)) filter.decision = values.decision;
    else problems.push("The decision filter is not a valid decision name.");
  }
  if (values.outcome) {
    if ((AUDIT_OUTCOMES as readonly string[]).includes(values.outcome)) filter.outcome = values.outcome as AuditOutcome;
    else problems.push(`The outcome must be one of ${AUDIT_OUTCOMES.join(", ")}.`);
  }
  if (values.from) {
    if (isDate(values.from)) filter.from = zonedInstant(values.from, "00:00", timeZone);
    else problems.push("The start date must be a date such as 2026-01-31.");
  }
  if (values.to) {
    if (isDate(values.to)) filter.until = zonedInstant(addDays(values.to, 1), "00:00", timeZone);
    else problems.push("The end date must be a date such as 2026-01-31.");
  }
  if (filter.from && filter.until && filter.from >= filter.until) problems.push("The start date is after the end date, so nothing can match.");
  const cursor = params.get("after");
  const after = cursor ? decodeCursor(cursor) : undefined;
  if (cursor && !after) problems.push("The page link is not valid; showing the newest events.");
  return { filter, after, timeZone, values, problems };
}

/** `<ISO instant>_<sequence>`: readable, and exact because occurred_at has millisecond precision. */
export const encodeCursor = ({ occurredAt, sequence }: AuditCursor) => `${occurredAt.toISOString()}_${sequence}`;

function decodeCursor(value: string): AuditCursor | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_(\d{1,9})$/.exec(value);
  if (!match) return undefined;
  const occurredAt = new Date(match[1]!);
  return Number.isNaN(occurredAt.getTime()) ? undefined : { occurredAt, sequence: Number(match[2]) };
}

/** The query string for the same filters (no cursor), plus `extra`. */
export function activitySearch(values: Record<FilterField, string>, extra: Record<string, string> = {}): string {
  const entries = [...Object.entries(values), ...Object.entries(extra)].filter(([, value]) => value !== "");
  return new URLSearchParams(entries).toString();
}
