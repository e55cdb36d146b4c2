import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GOOGLE_SCOPES, startTestProviders, type TestProviders } from "./test-support";

// Monday 10 March 2025, 12:00 in New York (EDT, the day after the switch to summer time).
const NOON = new Date("2025-03-10T16:00:00Z");

let sandbox: TestProviders;
let aliceToken: string;

beforeAll(async () => {
  sandbox = await startTestProviders({ now: NOON, timeZone: "America/New_York" });
  aliceToken = await sandbox.issuer.mint({ sub: "auth0|alice", aud: "google-oauth2", scopes: [GOOGLE_SCOPES.events, GOOGLE_SCOPES.freeBusy] });
});

beforeEach(() => sandbox.setNow(NOON));

afterAll(async () => {
  await sandbox?.close();
});

interface CalendarEvent {
  summary: string;
  start: { dateTime: string; timeZone: string };
  end: { dateTime: string; timeZone: string };
  attendees?: { email: string; self?: boolean; responseStatus: string }[];
}

async function listEvents(params: Record<string, string>, token = aliceToken) {
  const query = new URLSearchParams({ singleEvents: "true", orderBy: "startTime", ...params });
  const response = await fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/calendars/primary/events?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

const day = (date: string) => ({ timeMin: `${date}T00:00:00-04:00`, timeMax: `${date}T23:59:59-04:00` });

describe("Google Calendar events.list", () => {
  it("has alice's standup and dentist appointment today at the right local times", async () => {
    const { status, body } = await listEvents({ ...day("2025-03-10"), maxResults: "10" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "calendar#events", summary: "alice@example.com", timeZone: "America/New_York" });
    const items = body.items as CalendarEvent[];
    const byTitle = (summary: string) => items.find((item) => item.summary === summary);
    expect(byTitle("Team standup")).toMatchObject({
      start: { dateTime: "2025-03-10T09:30:00-04:00", timeZone: "America/New_York" },
      end: { dateTime: "2025-03-10T09:45:00-04:00" },
    });
    expect(byTitle("Dentist appointment")).toMatchObject({
      start: { dateTime: "2025-03-10T15:00:00-04:00" },
      end: { dateTime: "2025-03-10T16:00:00-04:00" },
    });
    expect(items.map((item) => item.summary)).not.toContain("Quarterly planning");
    // Ordered by start time, and only alice's calendar: bob's budget review is not on it.
    expect(items.map((item) => item.start.dateTime)).toEqual([...items.map((item) => item.start.dateTime)].sort());
    expect(items.map((item) => item.summary)).not.toContain("Budget review");
    const standup = byTitle("Team standup");
    expect(standup?.attendees?.find((attendee) => attendee.self)).toMatchObject({ email: "alice@example.com", responseStatus: "accepted" });
  });

  it("has quarterly planning tomorrow", async () => {
    const { body } = await listEvents(day("2025-03-11"));
    expect((body.items as CalendarEvent[]).find((item) => item.summary === "Quarterly planning")).toMatchObject({
      start: { dateTime: "2025-03-11T10:00:00-04:00" },
      end: { dateTime: "2025-03-11T11:30:00-04:00" },
    });
  });

  it("returns events overlapping the range and writes times in the requested zone", async () => {
    const { body } = await listEvents({ timeMin: "2025-03-10T13:40:00Z", timeMax: "2025-03-10T13:41:00Z", timeZone: "Europe/Berlin" });
    expect((body.items as CalendarEvent[]).map((item) => [item.summary, item.start.dateTime])).toEqual([
      ["Team standup", "2025-03-10T14:30:00+01:00"],
    ]);
  });

  it("pages with maxResults and nextPageToken", async () => {
    const first = await listEvents({ ...day("2025-03-10"), maxResults: "1" });
    expect(first.body.items).toHaveLength(1);
    const second = await listEvents({ ...day("2025-03-10"), maxResults: "1", pageToken: first.body.nextPageToken });
    expect(second.body.items[0].summary).not.toBe(first.body.items[0].summary);
  });

  it("keeps 'today' relative when the server runs past midnight", async () => {
    sandbox.setNow(new Date("2025-03-11T04:30:00Z")); // 00:30 on Tuesday in New York
    const { body } = await listEvents(day("2025-03-11"));
    const summaries = (body.items as CalendarEvent[]).map((item) => item.summary);
    expect(summaries).toContain("Team standup");
    expect(summaries).toContain("Dentist appointment");
    expect(summaries).not.toContain("Quarterly planning");
  });

  it("answers bad parameters with Google's 400s", async () => {
    const unordered = await listEvents({ singleEvents: "false" });
    expect(unordered.status).toBe(400);
    expect(unordered.body.error.message).toBe("The requested ordering is not available for the particular query.");
    const noOffset = await listEvents({ timeMin: "2025-03-10T00:00:00" });
    expect(noOffset.status).toBe(400);
    const empty = await listEvents({ timeMin: "2025-03-11T00:00:00Z", timeMax: "2025-03-10T00:00:00Z" });
    expect(empty.body.error.errors[0].reason).toBe("timeRangeEmpty");
    expect((await listEvents({ maxResults: "0" })).status).toBe(400);
  });

  it("knows only the user's own calendar", async () => {
    const response = await fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/calendars/bob%40example.com/events`, {
      headers: { authorization: `Bearer ${aliceToken}` },
    });
    expect(response.status).toBe(404);
    const own = await fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/calendars/alice%40example.com/events`, {
      headers: { authorization: `Bearer ${aliceToken}` },
    });
    expect(own.status).toBe(200);
  });

  it("gives an unknown user an empty calendar", async () => {
    const token = await sandbox.issuer.mint({ sub: "auth0|dave", aud: "google-oauth2", scopes: [GOOGLE_SCOPES.events] });
    const { status, body } = await listEvents(day("2025-03-10"), token);
    expect(status).toBe(200);
    expect(body.items).toEqual([]);
  });
});

describe("Google Calendar freeBusy", () => {
  async function freeBusy(body: unknown) {
    const response = await fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/freeBusy`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  const isBusyAt = (busy: { start: string; end: string }[], instant: string) =>
    busy.some((period) => Date.parse(period.start) <= Date.parse(instant) && Date.parse(instant) < Date.parse(period.end));

  it("is busy at 15:30 and free at 12:00 today", async () => {
    const { status, body } = await freeBusy({ ...day("2025-03-10"), items: [{ id: "primary" }] });
    expect(status).toBe(200);
    expect(body).toMatchObject({ kind: "calendar#freeBusy", timeMin: "2025-03-10T04:00:00.000Z", timeMax: "2025-03-11T03:59:59.000Z" });
    const busy = body.calendars.primary.busy as { start: string; end: string }[];
    expect(isBusyAt(busy, "2025-03-10T15:30:00-04:00")).toBe(true);
    expect(isBusyAt(busy, "2025-03-10T12:00:00-04:00")).toBe(false);
    expect(busy[0]).toEqual({ start: "2025-03-10T13:30:00Z", end: "2025-03-10T13:45:00Z" });
  });

  it("clips to the range, writes the requested zone, and reports other calendars as not found", async () => {
    const { body } = await freeBusy({
      timeMin: "2025-03-10T15:30:00-04:00",
      timeMax: "2025-03-10T17:00:00-04:00",
      timeZone: "America/New_York",
      items: [{ id: "primary" }, { id: "someone@example.net" }],
    });
    expect(body.calendars.primary.busy).toEqual([{ start: "2025-03-10T15:30:00-04:00", end: "2025-03-10T16:00:00-04:00" }]);
    expect(body.calendars["someone@example.net"]).toEqual({ errors: [{ domain: "global", reason: "notFound" }], busy: [] });
  });

  it("reads a colleague's free/busy, and reports a calendar it cannot read with notFound inside the 200", async () => {
    const { status, body } = await freeBusy({
      ...day("2025-03-10"),
      items: [{ id: "bob@example.com" }, { id: "team+ops@example.com" }, { id: "o'brien.ünïcode@example.org" }],
    });
    expect(status).toBe(200);
    expect(body.calendars["bob@example.com"].errors).toBeUndefined();
    expect(body.calendars["bob@example.com"].busy.length).toBeGreaterThan(0);
    for (const id of ["team+ops@example.com", "o'brien.ünïcode@example.org"]) {
      expect(body.calendars[id]).toEqual({ errors: [{ domain: "global", reason: "notFound" }], busy: [] });
    }
  });

  it("needs a freebusy-capable scope: calendar.events.readonly is not one", async () => {
    const token = await sandbox.issuer.mint({ sub: "auth0|alice", aud: "google-oauth2", scopes: [GOOGLE_SCOPES.events] });
    const response = await fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/freeBusy`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ ...day("2025-03-10"), items: [{ id: "primary" }] }),
    });
    expect(response.status).toBe(403);
  });

  it("rejects a missing range and malformed JSON", async () => {
    expect((await freeBusy({ items: [{ id: "primary" }] })).status).toBe(400);
    const response = await fetch(`${sandbox.apis.baseUrls.google}/calendar/v3/freeBusy`, {
      method: "POST",
      headers: { authorization: `Bearer ${aliceToken}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.status).toBe("INVALID_ARGUMENT");
  });
});
