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
 * PGlite has one backend, so every connection's messages run through one queue. pglite-socket's own queue
 * keeps a connection's turn only during a transaction; between the Parse and the Sync of an extended-protocol
 * batch another connection could slip in and overwrite the unnamed statement ("bind message supplies 8
 * parameters, but prepared statement "" requires 1"). This queue gives a connection the backend from its first
 * message until its batch ends (Sync or a simple Query) outside a transaction, exactly like a real server does
 * by giving each connection its own backend.
 */
export class BatchAffineQueue {
  #queue: QueuedMessage[] = [];
  #owner: number | null = null;
  #processing = false;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
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

function endsBatch(message: Uint8Array): boolean {
  const type = message[0];
  if (type === SYNC || type === QUERY) return true;
  // The startup message has no type byte: its length comes first, then the protocol version.
  return message.length >= 8 && new DataView(message.buffer, message.byteOffset).getInt32(4) === PROTOCOL_3;
}
