import { Router, type Request, type Response } from "express";
import { findUserBySub } from "../../../identity/users";
import { grantOf } from "../../access";
import { requireGoogleScopes } from "../auth";
import type { GoogleContext } from "../context";
import { badRequest, GoogleApiError, notFound } from "../errors";
import { draftsCreate, draftsList, messagesGet, messagesList } from "../methods";
import { booleanParam, integerParam, paginate, stringListParam, stringParam } from "../params";
import type { StoredMessage } from "./mailbox";
import { hasAttachment, headerValue, parseRawMessage } from "./mime";
import { type MessageFormat, plainText, renderMessage } from "./payload";
import { parseGmailQuery, type SearchableMessage } from "./query";

/**
 * The mailbox `userId` names, which must be the token user's own: "me" or their address. Someone the
 * sandbox does not know still gets a mailbox, an empty one, keyed by their user id.
 */
function ownMailbox(req: Request, res: Response): string {
  const { sub } = grantOf(res);
  const email = findUserBySub(sub)?.email;
  const userId = String(req.params.userId);
  if (userId !== "me" && userId !== email) {
    const message = `Delegation denied for ${userId}`;
    throw new GoogleApiError(403, message, [{ message, domain: "global", reason: "forbidden" }]);
  }
  return email ?? sub;
}

function searchable(message: StoredMessage): SearchableMessage {
  const mime = parseRawMessage(message.raw);
  return {
    from: headerValue(mime, "From"),
    to: ["To", "Cc", "Bcc"].map((name) => headerValue(mime, name)).join(", "),
    subject: headerValue(mime, "Subject"),
    text: plainText(mime),
    labelIds: message.labelIds,
    internalDate: message.internalDate,
    hasAttachment: hasAttachment(mime),
  };
}

const FORMATS: readonly MessageFormat[] = ["full", "metadata", "minimal", "raw"];

// Accepts the URL-safe alphabet Gmail documents and, like Gmail, the standard one; padding optional.
function decodeRaw(raw: unknown): Buffer {
  if (typeof raw !== "string" || raw === "") throw badRequest("Missing draft message", "invalidArgument");
  const compact = raw.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) {
    throw badRequest("Invalid value at 'draft.message.raw' (TYPE_BYTES), Base64 decoding failed", "invalid");
  }
  return Buffer.from(compact, "base64url");
}

export function gmailRoutes(context: GoogleContext): Router {
  const router = Router();

  router.get("/gmail/v1/users/:userId/messages", requireGoogleScopes(context.verify, messagesList), (req, res) => {
    const owner = ownMailbox(req, res);
    const clock = context.clock();
    const maxResults = integerParam(req, "maxResults", { min: 1, max: 500, fallback: 100 });
    const query = parseGmailQuery(stringParam(req, "q") ?? "", { now: clock.now, timeZone: clock.timeZone, self: owner });
    const labelIds = stringListParam(req, "labelIds");
    const includeSpamTrash = booleanParam(req, "includeSpamTrash") || query.reachesSpamAndTrash;

    const found = context.mailbox.messages(owner, clock).filter((message) => {
      if (!includeSpamTrash && message.labelIds.some((label) => label === "SPAM" || label === "TRASH")) return false;
      if (!labelIds.every((label) => message.labelIds.includes(label))) return false;
      return query.matches(searchable(message));
    });
    const { page, nextPageToken } = paginate(req, found, maxResults);
    // Like Gmail, an empty result has no `messages` field at all, only the estimate.
    res.json({
      ...(page.length > 0 ? { messages: page.map(({ id, threadId }) => ({ id, threadId })) } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
      resultSizeEstimate: found.length,
    });
  });

  router.get("/gmail/v1/users/:userId/messages/:id", requireGoogleScopes(context.verify, messagesGet), (req, res) => {
    const owner = ownMailbox(req, res);
    const id = String(req.params.id);
    const format = (stringParam(req, "format") ?? "full").toLowerCase() as MessageFormat;
    if (!FORMATS.includes(format)) throw badRequest(`Invalid value at 'format' (${format})`, "invalidArgument", "format");
    if (!/^[0-9a-f]+$/i.test(id)) throw badRequest("Invalid id value", "invalidArgument");
    const message = context.mailbox.messages(owner, context.clock()).find((candidate) => candidate.id === id);
    if (!message) throw notFound("Requested entity was not found.");
    res.json(renderMessage(message, format, stringListParam(req, "metadataHeaders")));
  });

  router.post("/gmail/v1/users/:userId/drafts", requireGoogleScopes(context.verify, draftsCreate), (req, res) => {
    const owner = ownMailbox(req, res);
    const clock = context.clock();
    const message: unknown = typeof req.body === "object" && req.body !== null ? req.body.message : undefined;
    if (typeof message !== "object" || message === null) throw badRequest("Missing draft message", "invalidArgument");
    const raw = decodeRaw("raw" in message ? message.raw : undefined);
    // A reply joins its thread when the client names one the mailbox has; otherwise it starts a new one.
    const requestedThread = "threadId" in message && typeof message.threadId === "string" ? message.threadId : undefined;
    const threadExists = context.mailbox.messages(owner, clock).some((candidate) => candidate.threadId === requestedThread);
    const draft = context.mailbox.addDraft(owner, raw, threadExists ? requestedThread : undefined, clock.now);
    res.json({
      id: draft.id,
      message: { id: draft.message.id, threadId: draft.message.threadId, labelIds: draft.message.labelIds },
    });
  });

  router.get("/gmail/v1/users/:userId/drafts", requireGoogleScopes(context.verify, draftsList), (req, res) => {
    const owner = ownMailbox(req, res);
    const maxResults = integerParam(req, "maxResults", { min: 1, max: 500, fallback: 100 });
    const drafts = context.mailbox.drafts(owner);
    const { page, nextPageToken } = paginate(req, drafts, maxResults);
    res.json({
      ...(page.length > 0
        ? { drafts: page.map(({ id, message }) => ({ id, message: { id: message.id, threadId: message.threadId } })) }
        : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
      resultSizeEstimate: drafts.length,
    });
  });

  return router;
}
