import type { Request } from "express";
import { badRequest } from "./errors";

/** A query parameter given once; a repeated one counts as absent, as it is for Google's scalar fields. */
export function stringParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === "string" ? value : undefined;
}

/** A repeatable query parameter, e.g. Gmail's `metadataHeaders=From&metadataHeaders=Subject`. */
export function stringListParam(req: Request, name: string): string[] {
  const value = req.query[name];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** An optional integer parameter within the bounds the API reference documents. */
export function integerParam(
  req: Request,
  name: string,
  { min, max, fallback }: { min: number; max: number; fallback: number },
): number {
  const value = stringParam(req, name);
  if (value === undefined) return fallback;
  const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw badRequest(`Invalid value '${value}'. Values must be within the range: [${min}, ${max}]`, "invalid", name);
  }
  return parsed;
}

export function booleanParam(req: Request, name: string): boolean {
  return stringParam(req, name) === "true";
}

// Google's page tokens are opaque; these carry the offset of the next page, which is all a fixed,
// in-memory result list needs.
function encodePageToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString("base64url");
}

function decodePageToken(token: string | undefined): number {
  if (!token) return 0;
  const offset = /^offset:(\d+)$/.exec(Buffer.from(token, "base64url").toString())?.[1];
  if (offset === undefined) throw badRequest("Invalid page token.", "invalid", "pageToken");
  return Number(offset);
}

/** One page of `items`, from the request's `pageToken`, and the token for the next page if any. */
export function paginate<T>(req: Request, items: readonly T[], pageSize: number): { page: T[]; nextPageToken?: string } {
  const offset = decodePageToken(stringParam(req, "pageToken"));
  const end = offset + pageSize;
  return { page: items.slice(offset, end), ...(end < items.length ? { nextPageToken: encodePageToken(end) } : {}) };
}
