import "server-only";
import { getConfig } from "@/lib/config";
import { apiUrl, callProvider as call, type ProviderCall, type ProviderRefusal, type Verdict } from "./http";

/** Google Calendar v3 and Gmail v1, the few calls Delegate's tools make. GOOGLE_API_URL moves the base URL. */
const SERVICE = "Google";
const base = () => getConfig().GOOGLE_API_URL;

// Calendar "Handle API errors" and Gmail "Resolve errors": a 403 names its cause in `error.errors[].reason`, and
// the newer error model in `error.status` and the ErrorInfo `details[].reason`. Rate and quota limits are 403s
// (or 429 RESOURCE_EXHAUSTED) that waiting lifts; only insufficientPermissions is a missing scope.
const RATE_LIMITED = new Set(["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded", "RATE_LIMIT_EXCEEDED", "RESOURCE_EXHAUSTED"]);
const SCOPE_MISSING = new Set(["insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"]);

/** The reason codes of a Google error document; nothing else of it is read. */
function reasonsOf(body: unknown): string[] {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error !== "object" || error === null) return [];
  const { errors, details, status } = error as { errors?: unknown; details?: unknown; status?: unknown };
  const reasons = [errors, details].flatMap((list) => (Array.isArray(list) ? list.map((item) => (item as { reason?: unknown } | null)?.reason) : []));
  return [...reasons, status].filter((reason): reason is string => typeof reason === "string");
}

export function explainGoogleRefusal({ status, body }: ProviderRefusal): Verdict | undefined {
  const reasons = reasonsOf(body);
  if (reasons.some((reason) => RATE_LIMITED.has(reason))) return { failure: "rate_limited" };
  if (status === 403 && reasons.some((reason) => SCOPE_MISSING.has(reason))) return { failure: "insufficient_scope" };
  return undefined;
}

function callProvider<T>(request: Omit<ProviderCall<T>, "service" | "explain">) {
  return call<T>({ ...request, service: SERVICE, explain: explainGoogleRefusal });
}

export interface CalendarEvent {
  id: string;
  summary?: string;
  location?: string;
  status?: string;
  start: { dateTime?: string; date?: string };
  end: { dateTime?: string; date?: string };
}

export async function listCalendarEvents(token: string, { timeMin, timeMax }: { timeMin: string; timeMax: string }) {
  const url = apiUrl(base(), "/calendar/v3/calendars/primary/events", {
    timeMin,
    timeMax,
    singleEvents: true,
    orderBy: "startTime",
    maxResults: 50,
  });
  const body = await callProvider<{ items?: CalendarEvent[] }>({ url, token });
  return (body.items ?? []).filter((event) => event.status !== "cancelled");
}

export type FreeBusy =
  | { calendar: string; busy: { start: string; end: string }[] }
  /** Google could not compute this calendar's free/busy: `notFound`, `internalError`, … — it is not free. */
  | { calendar: string; error: string };

/**
 * Free/busy of each calendar (an email address, or "primary"). Google answers 200 with per-calendar `errors` for
 * the ones it could not read (Calendar API reference, freebusy.query: "Optional error(s) (if computation for the
 * calendar failed)"), alongside an empty `busy`: such a calendar, or one missing from the answer, is reported as
 * an error, never as free.
 */
export async function queryFreeBusy(
  token: string,
  { timeMin, timeMax, calendars }: { timeMin: string; timeMax: string; calendars: string[] },
): Promise<FreeBusy[]> {
  type Answer = Record<string, { busy?: { start: string; end: string }[]; errors?: unknown } | undefined>;
  const body = await callProvider<{ calendars?: Answer }>({
    url: apiUrl(base(), "/calendar/v3/freeBusy"),
    token,
    method: "POST",
    body: { timeMin, timeMax, items: calendars.map((id) => ({ id })) },
  });
  return calendars.map((calendar) => {
    const answer = body.calendars && Object.hasOwn(body.calendars, calendar) ? body.calendars[calendar] : undefined;
    if (!answer) return { calendar, error: "missing" };
    if (answer.errors !== undefined) {
      const errors: ({ reason?: unknown } | null)[] = Array.isArray(answer.errors) ? answer.errors : [];
      const reason = errors.map((error) => error?.reason).find((r): r is string => typeof r === "string" && /^\w{1,40}$/.test(r));
      return { calendar, error: reason ?? "unknown" };
    }
    return { calendar, busy: answer.busy ?? [] };
  });
}

interface GmailMessage {
  id: string;
  threadId: string;
  snippet?: string;
  payload?: { headers?: { name: string; value: string }[] };
}

export async function searchMessages(token: string, { query, maxResults }: { query: string; maxResults: number }) {
  const list = await callProvider<{ messages?: { id: string }[] }>({
    url: apiUrl(base(), "/gmail/v1/users/me/messages", { q: query, maxResults }),
    token,
  });
  const messages = await Promise.all(
    (list.messages ?? []).map(({ id }) => {
      const url = apiUrl(base(), `/gmail/v1/users/me/messages/${encodeURIComponent(id)}`, { format: "metadata" });
      for (const header of ["Subject", "From", "Date"]) url.searchParams.append("metadataHeaders", header);
      return callProvider<GmailMessage>({ url, token });
    }),
  );
  return messages.map((message) => {
    const header = (name: string) => message.payload?.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
    return { id: message.id, subject: header("Subject") ?? "(no subject)", from: header("From") ?? "", date: header("Date") ?? "", snippet: message.snippet ?? "" };
  });
}

export async function createDraft(token: string, { to, subject, body }: { to: string; subject: string; body: string }) {
  const raw = Buffer.from(
    [`To: ${to}`, `Subject: ${encodeHeader(subject)}`, "MIME-Version: 1.0", 'Content-Type: text/plain; charset="UTF-8"', "", body].join("\r\n"),
  ).toString("base64url");
  const draft = await callProvider<{ id: string; message?: { id: string } }>({
    url: apiUrl(base(), "/gmail/v1/users/me/drafts"),
    token,
    method: "POST",
    body: { message: { raw } },
  });
  return { draftId: draft.id };
}

/** RFC 2047, so a subject with non-ASCII characters survives. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString("base64")}?=`;
}
