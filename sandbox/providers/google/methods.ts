import type { GoogleMethod } from "./errors";

const scope = (name: string) => `https://www.googleapis.com/auth/${name}`;
const GMAIL_FULL = "https://mail.google.com/";

// Each list is the "Authorization scopes" table of the method's reference page. The narrower
// gmail.metadata scope is left out on purpose: it only allows some formats and no `q`, and refusing
// it outright is stricter than Google, never more lenient.

export const eventsList: GoogleMethod = {
  accepted: [
    scope("calendar"),
    scope("calendar.readonly"),
    scope("calendar.events"),
    scope("calendar.events.readonly"),
    scope("calendar.events.owned"),
    scope("calendar.events.owned.readonly"),
  ],
  service: "calendar-json.googleapis.com",
  method: "calendar.v3.Events.List",
};

// Not calendar.events.readonly: Google's freebusy.query does not accept it, and an app that relied
// on it here would fail against the real API.
export const freeBusyQuery: GoogleMethod = {
  accepted: [scope("calendar"), scope("calendar.readonly"), scope("calendar.freebusy"), scope("calendar.events.freebusy")],
  service: "calendar-json.googleapis.com",
  method: "calendar.v3.Freebusy.Query",
};

const gmailRead = [GMAIL_FULL, scope("gmail.modify"), scope("gmail.readonly")];

export const messagesList: GoogleMethod = {
  accepted: gmailRead,
  service: "gmail.googleapis.com",
  method: "caribou.api.proto.MailboxService.ListMessages",
};

export const messagesGet: GoogleMethod = {
  accepted: gmailRead,
  service: "gmail.googleapis.com",
  method: "caribou.api.proto.MailboxService.GetMessage",
};

export const draftsCreate: GoogleMethod = {
  accepted: [GMAIL_FULL, scope("gmail.modify"), scope("gmail.compose")],
  service: "gmail.googleapis.com",
  method: "caribou.api.proto.MailboxService.CreateDraft",
};

export const draftsList: GoogleMethod = {
  accepted: [...gmailRead, scope("gmail.compose")],
  service: "gmail.googleapis.com",
  method: "caribou.api.proto.MailboxService.ListDrafts",
};
