import { displayedProperties, type GuardianAuthorizationDetail } from "@/lib/auth/interrupts";

/** A one-line, human-readable summary of a tool's result for the compact tool card. */
export function summarizeToolOutput(output: unknown): string {
  if (output === null || output === undefined) return "No result";
  if (typeof output !== "object") return truncate(String(output));
  if (Array.isArray(output)) return output.length === 1 ? "1 item" : `${output.length} items`;
  const record = output as Record<string, unknown>;
  if (typeof record.error === "string") return truncate(record.error);
  const parts = Object.entries(record).map(([key, value]) => `${humanize(key)}: ${describe(value)}`);
  return truncate(parts.join(" · "));
}

export interface Field {
  key: string;
  label: string;
  value: string;
}

/**
 * Every field of what the user is asked to approve, labelled and in full: never summarised or cut, because
 * what they approve is exactly what runs.
 */
export function approvalFields(input: unknown): Field[] {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return [{ key: "input", label: "Input", value: fullText(input) }];
  return Object.entries(input).map(([key, value]) => ({ key, label: humanize(key), value: fullText(value) }));
}

/**
 * The fields of a Guardian authorization detail as the Auth0 Guardian app lists them: each displayed property's
 * name and value, in display_order, in full. A name may end in a colon, as in Auth0's example ("A String:").
 */
export function authorizationDetailFields(detail: GuardianAuthorizationDetail): Field[] {
  return displayedProperties(detail).map(({ key, name, value }) => ({ key, label: name.replace(/:\s*$/, ""), value }));
}

function fullText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value, null, 2) : String(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return value.length === 1 ? "1 item" : `${value.length} items`;
  if (value !== null && typeof value === "object") return "…";
  return String(value);
}

function humanize(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function truncate(text: string, max = 140): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * A tool's title as its declaration gives it (`declared`, from lib/ai/tools `toolTitles()`); a name no declaration
 * knows (a tool removed since the chat was stored) is spelled out: "get_user_profile" → "Get user profile".
 */
export function toolTitle(name: string, declared: Readonly<Record<string, string>>): string {
  return Object.hasOwn(declared, name) ? declared[name]! : humanize(name);
}
