/**
 * An event's evidence as readable (term, description) pairs: nested objects become "fga › relation", lists are
 * joined. Evidence never holds tokens (lib/audit/record.ts), so every value may be shown as it is.
 */
export function evidenceEntries(evidence: unknown, prefix: string[] = []): Array<[string, string]> {
  if (evidence === null || typeof evidence !== "object" || Array.isArray(evidence)) {
    return prefix.length === 0 ? [] : [[termOf(prefix), describe(evidence)]];
  }
  return Object.entries(evidence as Record<string, unknown>).flatMap(([key, value]) =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? evidenceEntries(value, [...prefix, key]) : [[termOf([...prefix, key]), describe(value)] as [string, string]],
  );
}

const termOf = (path: string[]) => path.map(humanize).join(" › ");

/** "documentId" → "document id", "tool_call" → "tool call"; short names such as "fga" stay as written. */
const humanize = (key: string) => key.replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();

function describe(value: unknown): string {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map((item) => (typeof item === "object" && item !== null ? JSON.stringify(item) : describe(item))).join(", ");
  return String(value);
}
