/**
 * The server's only way to log a failure. Logs are read by operators and shipped to third parties, so a line
 * carries what identifies the failure — the error's name, its code or HTTP status, and a reference — and never
 * its message: messages of provider, model and database errors can quote prompts, documents or tokens.
 */
const IDENTIFIER = /^[\w.:-]{1,64}$/;

function identifier(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return typeof value === "string" && IDENTIFIER.test(value) ? value : undefined;
}

/** name, code and status of an error (and of its cause), each only if it looks like an identifier. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `type=${typeof error}`;
  const record = error as unknown as Record<string, unknown>;
  const fields = [
    ["name", identifier(error.name)],
    ["code", identifier(record.code) ?? identifier(record.error) ?? identifier(record.failure)],
    ["status", identifier(record.status) ?? identifier(record.statusCode)],
  ].filter(([, value]) => value !== undefined);
  const line = fields.map(([key, value]) => `${key}=${value}`).join(" ");
  return error.cause instanceof Error ? `${line} cause=(${describeError(error.cause)})` : line;
}

/**
 * Logs one failure and returns its reference, which an error response may show so that support can find the
 * line. `event` must be a fixed text written in the code, never data.
 */
export function logError(scope: string, event: string, error?: unknown): string {
  const reference = crypto.randomUUID().slice(0, 8);
  console.error(`[${scope}] ${event} ref=${reference}${error === undefined ? "" : ` ${describeError(error)}`}`);
  return reference;
}
