/**
 * Just enough RFC 2822 / MIME to store every message as Gmail does, as raw bytes: seeds are written
 * out with `buildRawMessage`, drafts arrive raw from the client, and both are read back with
 * `parseRawMessage` to produce the API's structured `payload`.
 */

export interface MimeHeader {
  name: string;
  value: string;
}

export interface MimePart {
  headers: MimeHeader[];
  /** Lowercase "type/subtype"; text/plain when the part does not say. */
  mimeType: string;
  filename: string;
  /** The decoded content of a leaf part; empty for a multipart container. */
  body: Buffer;
  parts: MimePart[];
}

export interface OutgoingMessage {
  headers: [name: string, value: string][];
  text: string;
  /** When present, the message is multipart/alternative with this HTML beside the text. */
  html?: string;
  /** Makes the multipart boundary deterministic. */
  boundary: string;
}

const CRLF = "\r\n";

// RFC 2047 encoded-word, for header values outside printable ASCII.
function encodeHeaderValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value).toString("base64")}?=`;
}

function leaf(mimeType: string, content: string): string {
  const ascii = /^[\x00-\x7f]*$/.test(content);
  const encoded = ascii
    ? content.replace(/\r?\n/g, CRLF)
    : (Buffer.from(content).toString("base64").match(/.{1,76}/g) ?? []).join(CRLF);
  return [
    `Content-Type: ${mimeType}; charset="UTF-8"`,
    `Content-Transfer-Encoding: ${ascii ? "7bit" : "base64"}`,
    "",
    encoded,
  ].join(CRLF);
}

export function buildRawMessage(message: OutgoingMessage): Buffer {
  const headers = message.headers.map(([name, value]) => `${name}: ${encodeHeaderValue(value)}`);
  headers.push("MIME-Version: 1.0");
  if (message.html === undefined) return Buffer.from([...headers, leaf("text/plain", message.text)].join(CRLF));
  const { boundary } = message;
  const body = [
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    leaf("text/plain", message.text),
    `--${boundary}`,
    leaf("text/html", message.html),
    `--${boundary}--`,
    "",
  ];
  return Buffer.from([...headers, ...body].join(CRLF));
}

function decodeBytes(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? "utf-8").decode(bytes);
  } catch {
    return bytes.toString("utf8");
  }
}

// Reverses RFC 2047 encoded-words, which Gmail also decodes before it returns header values.
function decodeHeaderValue(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BQ]\?[^?]*\?=)\s+(?==\?)/gi, "$1")
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_word, charset: string, encoding: string, text: string) => {
      const bytes =
        encoding.toUpperCase() === "B"
          ? Buffer.from(text, "base64")
          : decodeQuotedPrintable(text.replace(/_/g, " "));
      return decodeBytes(bytes, charset);
    });
}

function decodeQuotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const input = text.replace(/=\r?\n/g, "");
  for (let index = 0; index < input.length; index++) {
    const hex = input[index] === "=" ? input.slice(index + 1, index + 3) : "";
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(input.charCodeAt(index) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function headerParams(value: string): { main: string; params: Map<string, string> } {
  const [main = "", ...rest] = value.split(";");
  const params = new Map<string, string>();
  for (const match of rest.join(";").matchAll(/\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/g)) {
    params.set((match[1] ?? "").toLowerCase(), match[2] ?? match[3] ?? "");
  }
  return { main: main.trim().toLowerCase(), params };
}

/** Splits `text` (bytes held one per char, "latin1") into unfolded headers and the body after them. */
function splitHead(text: string): { headers: MimeHeader[]; body: string } {
  const separator = /\r?\n\r?\n/.exec(text);
  const head = separator ? text.slice(0, separator.index) : text;
  const body = separator ? text.slice(separator.index + separator[0].length) : "";
  const headers: MimeHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    const last = headers.at(-1);
    if (/^[ \t]/.test(line) && last) last.value += line;
    else {
      const colon = line.indexOf(":");
      if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1) });
    }
  }
  for (const header of headers) {
    header.value = decodeHeaderValue(Buffer.from(header.value.trim(), "latin1").toString("utf8"));
  }
  return { headers, body };
}

function multipartBodies(body: string, boundary: string): string[] {
  const bodies: string[] = [];
  let current: string[] | undefined; // undefined in the preamble, before the first delimiter
  for (const line of body.split(/\r?\n/)) {
    const trimmed = line.trimEnd();
    if (trimmed === `--${boundary}--`) {
      if (current) bodies.push(current.join(CRLF));
      break;
    }
    if (trimmed === `--${boundary}`) {
      if (current) bodies.push(current.join(CRLF));
      current = [];
    } else {
      current?.push(line);
    }
  }
  return bodies;
}

function parsePart(text: string): MimePart {
  const { headers, body } = splitHead(text);
  const header = (name: string) => headers.find((candidate) => candidate.name.toLowerCase() === name)?.value;
  const contentType = headerParams(header("content-type") ?? "text/plain");
  const disposition = headerParams(header("content-disposition") ?? "");
  const filename = disposition.params.get("filename") ?? contentType.params.get("name") ?? "";
  const boundary = contentType.params.get("boundary");
  if (contentType.main.startsWith("multipart/") && boundary) {
    return { headers, mimeType: contentType.main, filename, body: Buffer.alloc(0), parts: multipartBodies(body, boundary).map(parsePart) };
  }
  const encoding = (header("content-transfer-encoding") ?? "7bit").trim().toLowerCase();
  const content =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64")
      : encoding === "quoted-printable"
        ? decodeQuotedPrintable(body)
        : Buffer.from(body, "latin1");
  return { headers, mimeType: contentType.main || "text/plain", filename, body: content, parts: [] };
}

export function parseRawMessage(raw: Buffer): MimePart {
  return parsePart(raw.toString("latin1"));
}

export function headerValue(part: MimePart, name: string): string {
  return part.headers.find((header) => header.name.toLowerCase() === name.toLowerCase())?.value ?? "";
}

/** The text of the first part of type `mimeType`, depth first, decoded with its charset. */
export function textOf(part: MimePart, mimeType: string): string | undefined {
  if (part.parts.length === 0) {
    if (part.mimeType !== mimeType || part.filename) return undefined;
    return decodeBytes(part.body, headerParams(headerValue(part, "content-type")).params.get("charset"));
  }
  for (const child of part.parts) {
    const text = textOf(child, mimeType);
    if (text !== undefined) return text;
  }
  return undefined;
}

export function hasAttachment(part: MimePart): boolean {
  return part.filename !== "" || part.parts.some(hasAttachment);
}
