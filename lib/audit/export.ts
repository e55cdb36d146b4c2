import "server-only";
import { listAuditEventsPage, type AuditCursor, type AuditEventFilter } from "@/db/queries/audit";
import type { AuditEventRow } from "@/db/schema";

export const EXPORT_FORMATS = {
  jsonl: { name: "JSON Lines", contentType: "application/jsonl; charset=utf-8", extension: "jsonl" },
  csv: { name: "CSV", contentType: "text/csv; charset=utf-8; header=present", extension: "csv" },
} as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** Rows read per query: the export holds one page in memory, whatever the length of the history. */
const EXPORT_PAGE_SIZE = 500;

/** The exported record of one event: every column, named as in the database, the chain fields included. */
function exportRecord(event: AuditEventRow) {
  return {
    occurred_at: event.occurredAt.toISOString(),
    sequence: event.sequence,
    action: event.action,
    outcome: event.outcome,
    summary: event.summary,
    agent_id: event.agentId,
    model_id: event.modelId,
    chat_id: event.chatId,
    turn_id: event.turnId,
    tool_call_id: event.toolCallId,
    duration_ms: event.durationMs,
    evidence: event.evidence,
    input_digest: event.inputDigest,
    prev_hash: event.prevHash,
    hash: event.hash,
    id: event.id,
  };
}
type ExportRecord = ReturnType<typeof exportRecord>;
const CSV_COLUMNS = Object.keys(exportRecord({ occurredAt: new Date(0), evidence: {} } as AuditEventRow)) as Array<keyof ExportRecord>;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled. A text starting
 * with =, +, -, @, tab or carriage return is prefixed with ' so a spreadsheet shows it instead of running it as a
 * formula, and quoted (OWASP, "CSV Injection").
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  let text = typeof value === "string" ? value : JSON.stringify(value);
  const formula = /^[=+\-@\t\r]/.test(text);
  if (formula) text = `'${text}`;
  return formula || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: unknown[]) => `${fields.map(csvField).join(",")}\r\n`;

/** A line of the export for one event. */
const formatters: Record<ExportFormat, (event: AuditEventRow) => string> = {
  jsonl: (event) => `${JSON.stringify(exportRecord(event))}\n`,
  csv: (event) => {
    const record = exportRecord(event);
    return csvLine(CSV_COLUMNS.map((column) => record[column]));
  },
};

/**
 * The user's whole history under `filter`, newest first, as a stream read from the database one page at a time
 * as the client takes it (backpressure: the next page is queried only when the previous one has been sent).
 * With `before` (the export's own event), the file holds the history up to that event, so what it contains does
 * not depend on what happens while it downloads; the export's record is in the next one.
 * CSV starts with a byte-order mark so spreadsheets read non-ASCII text as UTF-8, then the header.
 */
export function exportAuditEvents(userId: string, filter: AuditEventFilter, format: ExportFormat, before?: AuditCursor): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: AuditCursor | undefined = before;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && format === "csv") controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_COLUMNS)}`));
      started = true;
      const events = await listAuditEventsPage(userId, filter, { after, limit: EXPORT_PAGE_SIZE });
      if (events.length > 0) controller.enqueue(encoder.encode(events.map(formatters[format]).join("")));
      if (events.length < EXPORT_PAGE_SIZE) return controller.close();
      const last = events.at(-1)!;
      after = { occurredAt: last.occurredAt, sequence: last.sequence };
    },
  }, { highWaterMark: 0 });
}

/** A filename any browser and file system accepts: ASCII letters, digits and dashes only. */
export const exportFilename = (format: ExportFormat, now = new Date()) => `delegate-activity-${now.toISOString().slice(0, 10)}.${EXPORT_FORMATS[format].extension}`;
