import { FgaError, type FgaErrorCode } from "./errors";
import { READ_CHANGES_DEFAULT_PAGE_SIZE, READ_CHANGES_MAX_PAGE_SIZE } from "./limits";
import type { StoredChange } from "./storage";
import { isUlid, ulidAtTime } from "./ulid";

/**
 * ReadChanges (`GET /stores/{store_id}/changes`), checked in OpenFGA's order with its codes and messages:
 * 1. the HTTP gateway reads the query (grpc-gateway runtime/query.go): a value that does not parse is `validation_error`;
 * 2. the request's proto rules (openfga/api ReadChangesRequest, all of them, joined by "; " and coded by the first,
 *    as pkg/server/errors/encoded_errors.go ConvertToEncodedErrorCode does);
 * 3. the server's page size limit (pkg/server/read_changes.go);
 * 4. the continuation token or start time (pkg/server/commands/read_changes.go).
 * Everything OpenFGA refuses is refused here before the store is looked up, so only a request OpenFGA would answer
 * can get the sandbox's stricter `store_id_not_found` (OpenFGA answers an unknown store with no changes).
 */

export interface ReadChangesRequest {
  /** The object type to read changes of; "" for all. */
  type: string;
  pageSize: number;
  /** The token as sent ("" if none): the answer's token when there are no changes, as OpenFGA returns it. */
  continuationToken: string;
  /** Read changes whose ulid sorts after this one; "" to read from the first change. */
  after: string;
}

type Query = Record<string, unknown>;
type Issue = { code: FgaErrorCode; message: string };

// protoc-gen-validate's rules for ReadChangesRequest, with its messages. Go's `\s` is [\t\n\f\r ], not JS's.
const STORE_ID_PATTERN = /^[ABCDEFGHJKMNPQRSTVWXYZ0-9]{26}$/;
const TYPE_PATTERN = /^[^:#\t\n\f\r ]{1,254}$/u;
const TOKEN_PATTERN = /^$|^[A-Za-z0-9\-_]+={0,2}$/;
const TOKEN_MAX_BYTES = 5120;
const RULES = {
  storeId: 'invalid ReadChangesRequest.StoreId: value does not match regex pattern "^[ABCDEFGHJKMNPQRSTVWXYZ0-9]{26}$"',
  type: 'invalid ReadChangesRequest.Type: value does not match regex pattern "^[^:#\\\\s]{1,254}$"',
  pageSize: "invalid ReadChangesRequest.PageSize: value must be greater than or equal to 1",
  tokenLength: `invalid ReadChangesRequest.ContinuationToken: value length must be at most ${TOKEN_MAX_BYTES} bytes`,
  tokenPattern: 'invalid ReadChangesRequest.ContinuationToken: value does not match regex pattern "^$|^[A-Za-z0-9-_]+={0,2}$"',
  startTime: "invalid ReadChangesRequest.StartTime: value must be less than now",
};

const invalidToken = () => new FgaError("invalid_continuation_token", "Invalid continuation token");

export function parseReadChangesRequest(storeId: string, query: Query): ReadChangesRequest {
  // 1. The gateway.
  const type = queryValue(query, "type") ?? "";
  const pageSizeText = queryValue(query, "page_size");
  const pageSize = pageSizeText === undefined ? undefined : parseInt32("page_size", pageSizeText);
  const continuationToken = queryValue(query, "continuation_token") ?? "";
  const startTimeText = queryValue(query, "start_time");
  const startTime = startTimeText === undefined ? undefined : parseTimestamp("start_time", startTimeText);

  // 2. The proto rules.
  const issues: Issue[] = [];
  const fail = (message: string, code: FgaErrorCode = "validation_error") => issues.push({ code, message });
  if (!STORE_ID_PATTERN.test(storeId)) fail(RULES.storeId);
  if (type !== "" && !TYPE_PATTERN.test(type)) fail(RULES.type, "type_invalid_pattern");
  if (pageSize !== undefined && pageSize < 1) fail(RULES.pageSize);
  if (Buffer.byteLength(continuationToken) > TOKEN_MAX_BYTES) fail(RULES.tokenLength);
  if (!TOKEN_PATTERN.test(continuationToken)) fail(RULES.tokenPattern);
  // Go compares nanoseconds; Date.now() has only milliseconds, so a time within the current one passes.
  if (startTime && Math.floor(startTime.epochMs) > Date.now()) fail(RULES.startTime);
  const first = issues[0];
  if (first) throw new FgaError(first.code, issues.map((issue) => issue.message).join("; "));

  // 3. The server's limit (OPENFGA_READ_CHANGES_MAX_PAGE_SIZE); a page size of 0 was refused above, as `validation_error`.
  if (pageSize !== undefined && pageSize > READ_CHANGES_MAX_PAGE_SIZE) {
    throw new FgaError("page_size_invalid", `invalid ReadChangesRequest.PageSize: value must be inside range [1, ${READ_CHANGES_MAX_PAGE_SIZE}]`);
  }

  // 4. The token wins over start_time.
  let after = "";
  if (continuationToken) after = tokenUlid(continuationToken, type);
  else if (startTime && !startTime.isZero) after = startTimeUlid(startTime);
  return { type, pageSize: pageSize ?? READ_CHANGES_DEFAULT_PAGE_SIZE, continuationToken, after };
}

/** A query parameter's one value; grpc-gateway refuses a parameter given twice. */
function queryValue(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new FgaError("validation_error", `too many values for field "${name}": ${value.map(String).join(", ")}`);
  return String(value);
}

/** Go's strconv.ParseInt(value, 10, 32), as the gateway reads a google.protobuf.Int32Value. */
function parseInt32(name: string, text: string): number {
  const failure = (reason: string) => new FgaError("validation_error", `parsing field "${name}": strconv.ParseInt: parsing "${text}": ${reason}`);
  if (!/^[+-]?[0-9]+$/.test(text)) throw failure("invalid syntax");
  const value = Number(text);
  if (value < -(2 ** 31) || value > 2 ** 31 - 1) throw failure("value out of range");
  return value;
}

interface Timestamp {
  /** Milliseconds since the epoch, fractional below the millisecond. */
  epochMs: number;
  /** The whole seconds, in milliseconds, and the nanoseconds of the second (Go's Unix() and Nanosecond()). */
  secondMs: number;
  nanos: number;
  /** Go's time.Time.IsZero (0001-01-01T00:00:00Z): OpenFGA then reads as if no start time were given. */
  isZero: boolean;
}

// RFC 3339 as Go's time.Parse(time.RFC3339Nano, …) reads it on its strict path (time/format_rfc3339.go). Its lenient
// fallback also takes a few oddities (a one-digit hour, a comma before the fraction), which are refused here.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const GO_RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";
/** 0001-01-01T00:00:00Z, the earliest google.protobuf.Timestamp. */
const MIN_TIMESTAMP_MS = -62135596800000;

/** The gateway's reading of a google.protobuf.Timestamp query parameter (grpc-gateway runtime/query.go parseMessage). */
function parseTimestamp(name: string, text: string): Timestamp {
  const unparsable = () =>
    new FgaError("validation_error", `parsing field "${name}": parsing time "${text}" as "${GO_RFC3339_NANO}": not an RFC 3339 timestamp`);
  const match = RFC3339.exec(text);
  if (!match) throw unparsable();
  const field = (i: number) => Number(match[i] ?? 0);
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const [fraction = "", sign, offsetHours, offsetMinutes] = [match[7], match[8], field(9), field(10)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) throw unparsable();
  if (offsetHours > 23 || offsetMinutes > 59) throw unparsable();
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const offsetMs = (sign === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const secondMs = date.getTime() - offsetMs;
  // Go keeps nine digits of the fraction and drops the rest.
  const nanos = Number(fraction.slice(0, 9).padEnd(9, "0"));
  if (secondMs < MIN_TIMESTAMP_MS) throw new FgaError("validation_error", `parsing field "${name}": ${text} before 0001-01-01`);
  return { epochMs: secondMs + nanos / 1e6, secondMs, nanos, isZero: secondMs === MIN_TIMESTAMP_MS && nanos === 0 };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * `ulid.New(ulid.Timestamp(start_time), nil)`: zero entropy, so changes made in start_time's millisecond or later
 * follow. Go's ulid.Timestamp of a time before 1970 wraps round to a time no ULID holds, and ulid.New fails with
 * ErrBigTime, which OpenFGA reports as `invalid_start_time`.
 */
function startTimeUlid(time: Timestamp): string {
  const ms = time.secondMs + Math.floor(time.nanos / 1e6);
  if (time.secondMs < 0) throw new FgaError("invalid_start_time", "Invalid start time");
  return ulidAtTime(ms);
}

/**
 * OpenFGA's token: base64 (URL alphabet, padded: Go's base64.URLEncoding, which refuses a token without its padding)
 * of `<ulid>|<type>` (encoder.StringContinuationTokenSerializer), the type being the one the request asked for.
 */
function encodeChangesToken(ulid: string, type: string): string {
  return Buffer.from(`${ulid}|${type}`).toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * The ulid a token reads after. Undecodable, or without "|" or a ulid before it: `invalid_continuation_token`; made
 * for another type: `query_string_type_continuation_token_mismatch` (the type is compared byte for byte, as Go
 * compares strings). OpenFGA's Postgres datastore then compares whatever stands before "|" with the stored ulids;
 * its memory datastore refuses one that is not a ULID, as the sandbox does.
 */
function tokenUlid(token: string, type: string): string {
  if (token.length % 4 !== 0) throw invalidToken();
  const bytes = Buffer.from(token, "base64url");
  const bar = bytes.indexOf("|");
  if (bar <= 0) throw invalidToken();
  if (!bytes.subarray(bar + 1).equals(Buffer.from(type))) {
    throw new FgaError("query_string_type_continuation_token_mismatch", "The type in the querystring and the continuation token don't match");
  }
  const ulid = bytes.subarray(0, bar).toString("latin1");
  if (!isUlid(ulid)) throw invalidToken();
  return ulid;
}

const OPERATIONS = { write: "TUPLE_OPERATION_WRITE", delete: "TUPLE_OPERATION_DELETE" } as const;

/**
 * The answer as OpenFGA's HTTP gateway writes it (protojson with EmitUnpopulated, so an unconditioned tuple key
 * carries `"condition": null`). The token names the last change returned, even when there are no more: a full
 * page always gets one (the Postgres datastore reads no extra row to look ahead). With no changes the request's
 * own token comes back, "" if it had none, so a poller keeps its place.
 */
export function readChangesResponse(request: ReadChangesRequest, changes: readonly StoredChange[]) {
  const last = changes[changes.length - 1];
  return {
    changes: changes.map((change) => ({
      tuple_key: { user: change.key.user, relation: change.key.relation, object: change.key.object, condition: null },
      operation: OPERATIONS[change.operation],
      timestamp: change.timestamp,
    })),
    continuation_token: last ? encodeChangesToken(last.ulid, request.type) : request.continuationToken,
  };
}
