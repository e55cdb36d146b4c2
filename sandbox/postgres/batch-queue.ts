import type { PGlite } from "@electric-sql/pglite";

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (error: unknown) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const PROTOCOL_3 = 196_608;
/**
 * Parse, Bind, Describe, Execute and Close: extended-protocol messages a server answers only at the next Sync or
 * Flush (it buffers their output until then), so the client never waits on one of them alone.
 */
const DEFERRABLE = new Set([0x50, 0x42, 0x44, 0x45, 0x43]);

/**
 * PGlite has one backend, so every connection's messages run through one queue. pglite-socket's own queue
 * keeps a connection's turn only during a transaction; between the Parse and the Sync of an extended-protocol
 * batch another connection could slip in and overwrite the unnamed statement ("bind message supplies 8
 * parameters, but prepared statement "" requires 1"). This queue gives a connection the backend from its first
 * message until its batch ends (Sync or a simple Query) outside a transaction, exactly like a real server does
 * by giving each connection its own backend.
 *
 * pglite-socket hands over one message at a time, and each trip into PGlite costs about 0.1 ms however small the
 * message, so a query's Parse, Bind, Describe and Execute are held back (answered at once, with no output, as a
 * server buffers theirs) and run together with the message that ends them, in one trip: an unprepared query
 * then costs one trip instead of five.
 */
export class BatchAffineQueue {
  #queue: QueuedMessage[] = [];
  #owner: number | null = null;
  #processing = false;
  /** Per connection: deferrable messages waiting for the one that ends their batch. */
  #held = new Map<number, Uint8Array[]>();

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    const held = this.#held.get(handlerId);
    if (DEFERRABLE.has(message[0] as number)) {
      if (held) held.push(message);
      else this.#held.set(handlerId, [message]);
      return Promise.resolve(0);
    }
    if (held) {
      this.#held.delete(handlerId);
      message = concat([...held, message]);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#process();
    });
  }

  async #process() {
    if (this.#processing) return;
    this.#processing = true;
    try {
      while (this.#queue.length > 0) {
        const index = this.#owner === null ? 0 : this.#queue.findIndex((m) => m.handlerId === this.#owner);
        if (index === -1) break; // the owner is mid-batch: wait for its next message
        const [next] = this.#queue.splice(index, 1) as [QueuedMessage];
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(next.message, {
              onRawData: (data) => {
                bytes += data.length;
                next.onData(data);
              },
            }),
          );
          next.resolve(bytes);
        } catch (error) {
          next.reject(error);
        }
        this.#owner = endsBatch(next.message) && !this.db.isInTransaction() ? null : next.handlerId;
      }
    } finally {
      this.#processing = false;
    }
  }

  clearQueueForHandler(handlerId: number) {
    this.#held.delete(handlerId);
    this.#queue = this.#queue.filter((m) => {
      if (m.handlerId !== handlerId) return true;
      m.reject(new Error("Connection closed"));
      return false;
    });
  }

  /** A connection that goes away mid-batch or mid-transaction must not hold the backend. */
  async clearTransactionIfNeeded(handlerId: number) {
    if (this.#owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    this.#owner = null;
    void this.#process();
  }
}

function concat(messages: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
  let offset = 0;
  for (const m of messages) {
    out.set(m, offset);
    offset += m.length;
  }
  return out;
}

/** Whether a run of messages ends with a Sync, a simple Query or a startup message (each ends a batch). */
function endsBatch(messages: Uint8Array): boolean {
  if (messages.length >= 8 && new DataView(messages.buffer, messages.byteOffset).getInt32(4) === PROTOCOL_3) return true;
  // The last message starts after the others: walk the lengths (type byte, then a length that counts itself).
  let offset = 0;
  let type = 0;
  while (offset < messages.length) {
    type = messages[offset] as number;
    offset += 1 + new DataView(messages.buffer, messages.byteOffset + offset + 1).getInt32(0);
  }
  return type === SYNC || type === QUERY;
}
