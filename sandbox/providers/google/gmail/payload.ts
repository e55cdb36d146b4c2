import { stableNumber } from "../../stable-ids";
import type { StoredMessage } from "./mailbox";
import { type MimePart, parseRawMessage, textOf } from "./mime";

export type MessageFormat = "full" | "metadata" | "minimal" | "raw";

// Gmail's base64url keeps the "=" padding; clients that decode with a strict decoder depend on it.
function base64UrlPadded(bytes: Buffer): string {
  return bytes.toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

/** The MessagePart tree: part ids "0", "1", "0.1"…, leaf bodies inline as base64url. */
function fullPayload(part: MimePart, partId: string): object {
  const common = { partId, mimeType: part.mimeType, filename: part.filename, headers: part.headers };
  if (part.parts.length > 0) {
    return {
      ...common,
      body: { size: 0 },
      parts: part.parts.map((child, index) => fullPayload(child, partId === "" ? String(index) : `${partId}.${index}`)),
    };
  }
  const data = part.body.length > 0 ? { data: base64UrlPadded(part.body) } : {};
  return { ...common, body: { size: part.body.length, ...data } };
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** The body text Gmail shows in a list: plain text (or tag-stripped HTML), collapsed and cut short. */
export function plainText(part: MimePart): string {
  const text = textOf(part, "text/plain") ?? textOf(part, "text/html")?.replace(/<[^>]*>/g, " ") ?? "";
  return text.replace(/\s+/g, " ").trim();
}

// Gmail snippets are HTML-escaped (an apostrophe arrives as &#39;), so clients have to unescape them.
function snippetOf(part: MimePart): string {
  return plainText(part)
    .slice(0, 200)
    .replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** A Message resource as users.messages.get returns it in `format`. */
export function renderMessage(message: StoredMessage, format: MessageFormat, metadataHeaders: readonly string[]) {
  const mime = parseRawMessage(message.raw);
  const resource = {
    id: message.id,
    threadId: message.threadId,
    labelIds: message.labelIds,
    snippet: snippetOf(mime),
    sizeEstimate: message.raw.length,
    historyId: String(stableNumber(7, message.id)),
    internalDate: String(message.internalDate),
  };
  switch (format) {
    case "minimal":
      return resource;
    case "raw":
      return { ...resource, raw: base64UrlPadded(message.raw) };
    case "metadata": {
      const wanted = metadataHeaders.map((name) => name.toLowerCase());
      const headers = wanted.length > 0 ? mime.headers.filter((header) => wanted.includes(header.name.toLowerCase())) : mime.headers;
      return { ...resource, payload: { partId: "", mimeType: mime.mimeType, filename: "", headers } };
    }
    case "full":
      return { ...resource, payload: fullPayload(mime, "") };
  }
}
