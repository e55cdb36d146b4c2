import "server-only";
import { getConfig } from "@/lib/config";
import { apiUrl, callProvider } from "./http";

/** Google Calendar v3 and Gmail v1, the few calls Delegate's tools make. GOOGLE_API_URL moves the base URL. */
const SERVICE = "Google";
const base = () => getConfig().GOOGLE_API_URL;

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
  const body = await callProvider<{ items?: CalendarEvent[] }>({ service: SERVICE, url, token });
  return (body.items ?? []).filter((event) => event.status !== "cancelled");
}

export async function queryFreeBusy(token: string, { timeMin, timeMax }: { timeMin: string; timeMax: string }) {
  const body = await callProvider<{ calendars?: Record<string, { busy?: { start: string; end: string }[] }> }>({
    service: SERVICE,
    url: apiUrl(base(), "/calendar/v3/freeBusy"),
    token,
    method: "POST",
    body: { timeMin, timeMax, items: [{ id: "primary" }] },
  });
  return body.calendars?.primary?.busy ?? [];
}

interface GmailMessage {
  id: string;
  threadId: string;
  snippet?: string;
  payload?: { headers?: { name: string; value: string }[] };
}

export async function searchMessages(token: string, { query, maxResults }: { query: string; maxResults: number }) {
  const list = await callProvider<{ messages?: { id: string }[] }>({
    service: SERVICE,
    url: apiUrl(base(), "/gmail/v1/users/me/messages", { q: query, maxResults }),
    token,
  });
  const messages = await Promise.all(
    (list.messages ?? []).map(({ id }) => {
      const url = apiUrl(base(), `/gmail/v1/users/me/messages/${encodeURIComponent(id)}`, { format: "metadata" });
      for (const header of ["Subject", "From", "Date"]) url.searchParams.append("metadataHeaders", header);
      return callProvider<GmailMessage>({ service: SERVICE, url, token });
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
    service: SERVICE,
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
