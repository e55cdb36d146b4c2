import type { Request, Response } from "express";
import { grantOf } from "../access";
import { noteForLog } from "../../http";
import { slackError } from "./respond";
import { channels, members, type SeedChannel, workspace } from "./seed";

// The scope each conversation type needs for conversations.list.
const TYPE_SCOPES: Record<string, string> = {
  public_channel: "channels:read",
  private_channel: "groups:read",
  mpim: "mpim:read",
  im: "im:read",
};

const SCAN_CAP = 4;

/** A parameter from the query string or the form body: Slack accepts both for every method. */
function param(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  const fromBody = typeof body === "object" && body !== null && name in body ? (body as Record<string, unknown>)[name] : undefined;
  const value = fromBody ?? req.query[name];
  return typeof value === "string" ? value : undefined;
}

// Slack cursors are opaque base64; Slack's own read like "dXNlcjpVMDYxTkZUVDI=" ("user:U061NFTT2").
const encodeCursor = (channel: SeedChannel) => Buffer.from(`channel:${channel.id}`).toString("base64");
const decodeCursor = (cursor: string) => /^channel:(\w+)$/.exec(Buffer.from(cursor, "base64").toString())?.[1];

function renderChannel(channel: SeedChannel, sub: string) {
  const slackId = (memberSub: string) => members[memberSub] ?? "";
  const lastSet = channel.created + 86_400;
  return {
    id: channel.id,
    name: channel.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_mpim: false,
    is_private: channel.private,
    created: channel.created,
    is_archived: channel.archived,
    is_general: channel.general ?? false,
    unlinked: 0,
    name_normalized: channel.name,
    is_shared: false,
    is_org_shared: false,
    is_pending_ext_shared: false,
    pending_shared: [],
    context_team_id: workspace.id,
    updated: lastSet * 1000,
    parent_conversation: null,
    creator: slackId(channel.creator),
    is_ext_shared: false,
    shared_team_ids: [workspace.id],
    pending_connected_team_ids: [],
    is_member: channel.members.includes(sub),
    topic: { value: channel.topic, creator: channel.topic ? slackId(channel.creator) : "", last_set: channel.topic ? lastSet : 0 },
    purpose: { value: channel.purpose, creator: slackId(channel.creator), last_set: lastSet },
    previous_names: [],
    num_members: channel.members.length,
  };
}

/** conversations.list: the workspace's channels this user can see, of the requested types. */
export function conversationsList(req: Request, res: Response): void {
  const grant = grantOf(res);
  res.set("X-Accepted-OAuth-Scopes", Object.values(TYPE_SCOPES).join(","));
  const types = (param(req, "types") ?? "public_channel").split(",").map((type) => type.trim()).filter(Boolean);
  if (types.length === 0 || types.some((type) => !(type in TYPE_SCOPES))) return slackError(res, "invalid_types");
  const needed = [...new Set(types.map((type) => TYPE_SCOPES[type] ?? ""))].filter((scope) => !grant.scopes.includes(scope));
  if (needed.length > 0) {
    noteForLog(res, "missing scope");
    return slackError(res, "missing_scope", { needed: needed.join(","), provided: grant.scopes.join(",") });
  }
  const limitParam = param(req, "limit");
  const limit = limitParam === undefined ? 100 : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > 999) return slackError(res, "invalid_limit");
  const excludeArchived = ["true", "1"].includes(param(req, "exclude_archived") ?? "");
  const cursor = param(req, "cursor");
  const startId = cursor ? decodeCursor(cursor) : undefined;
  if (cursor && !startId) return slackError(res, "invalid_cursor");

  // Slack pages over all of the workspace's conversations and filters each page afterwards, so a page may hold
  // fewer than `limit`, or none, before the end ("Pagination": "It's possible to receive fewer results than your
  // specified limit, even when there are additional results to retrieve"). The sandbox's workspace is small, so it
  // also looks at no more than SCAN_CAP conversations per call, as Slack may: clients must follow next_cursor.
  const start = startId ? channels.findIndex((channel) => channel.id === startId) : 0;
  if (start < 0) return slackError(res, "invalid_cursor");
  const scanned = channels.slice(start, start + Math.min(limit, SCAN_CAP));
  const next = channels[start + scanned.length];
  // Outsiders of the workspace see nothing; members see public channels and the private ones they are in.
  const inWorkspace = grant.sub in members;
  const page = scanned.filter(
    (channel) =>
      inWorkspace &&
      types.includes(channel.private ? "private_channel" : "public_channel") &&
      (!channel.private || channel.members.includes(grant.sub)) &&
      !(excludeArchived && channel.archived),
  );
  res.json({
    ok: true,
    channels: page.map((channel) => renderChannel(channel, grant.sub)),
    response_metadata: { next_cursor: next ? encodeCursor(next) : "" },
  });
}
