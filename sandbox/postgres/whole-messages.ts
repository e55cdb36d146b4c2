import type { Socket } from "node:net";

/** The request codes a message without a type byte may carry before the session starts. */
const PROTOCOL_3 = 196_608;
const UNTYPED_REQUESTS = new Set([80_877_103 /* SSL */, 80_877_104 /* GSSAPI encryption */, 80_877_102 /* cancel */]);

/**
 * Cuts a client's byte stream after its last whole Postgres message. Until the startup message, messages are a
 * length and a body; after it, a type byte, a length and a body. Pieces of an unfinished message are only kept, not
 * joined, until it is whole, so every byte is copied a bounded number of times however large the message.
 */
export class WholeMessages {
  #pieces: Buffer[] = [];
  #size = 0;
  /** The unfinished message's length (what is kept starts with it), once its header has arrived. */
  #end: number | null = null;
  #started = false;

  /** The bytes received so far up to the end of the last whole message, or null while there is none. */
  push(piece: Buffer): Buffer | null {
    this.#pieces.push(piece);
    this.#size += piece.length;
    if (this.#end !== null && this.#size < this.#end) return null;
    const bytes = this.#pieces.length === 1 ? this.#pieces[0]! : Buffer.concat(this.#pieces, this.#size);
    let boundary = 0;
    this.#end = null;
    while (boundary < bytes.length) {
      const length = this.#messageLength(bytes, boundary);
      if (length === null || boundary + length > bytes.length) {
        this.#end = length;
        break;
      }
      if (!this.#started && length >= 8 && bytes.readInt32BE(boundary + 4) === PROTOCOL_3) this.#started = true;
      boundary += length;
    }
    const rest = bytes.subarray(boundary);
    this.#pieces = rest.length > 0 ? [rest] : [];
    this.#size = rest.length;
    return boundary > 0 ? bytes.subarray(0, boundary) : null;
  }

  /** The whole length of the message at `at`, or null until enough of its header has arrived. */
  #messageLength(bytes: Buffer, at: number): number | null {
    if (!this.#started) {
      if (bytes.length - at < 8) return null;
      const length = bytes.readInt32BE(at);
      const code = bytes.readInt32BE(at + 4);
      if (code === PROTOCOL_3 || UNTYPED_REQUESTS.has(code)) return length;
      this.#started = true; // not a startup-phase message: treat the rest as typed, as the server would
    }
    if (bytes.length - at < 5) return null;
    return 1 + bytes.readInt32BE(at + 1);
  }
}

/**
 * pglite-socket appends each piece a socket delivers to what it has buffered (Buffer.concat), which copies a message
 * of n pieces n times over: a 7 MB multi-row INSERT arriving in 64 KB pieces cost seconds. The socket is made to
 * emit whole messages instead.
 */
export function emitWholeMessages(socket: Socket): void {
  const messages = new WholeMessages();
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event !== "data") return emit(event, ...args);
    const whole = messages.push(args[0] as Buffer);
    return whole ? emit("data", whole) : true;
  }) as Socket["emit"];
}
