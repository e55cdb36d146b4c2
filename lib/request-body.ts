import "server-only";

export type BodyRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too_large" | "unreadable" };

/**
 * Reads a request body, stopping as soon as it passes `maxBytes`. The bytes actually received are counted, so
 * neither a missing nor a lying `content-length` lets a larger body through, and the rest of an oversized body
 * is never read into memory.
 */
export async function readBodyWithin(request: Request, maxBytes: number): Promise<BodyRead> {
  if (!request.body) return { ok: true, bytes: new Uint8Array() };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: "too_large" };
      }
      chunks.push(chunk.value);
    }
  } catch {
    // The client went away mid-body, or sent something that is not a byte stream.
    return { ok: false, reason: "unreadable" };
  }
  return { ok: true, bytes: Buffer.concat(chunks, size) };
}
