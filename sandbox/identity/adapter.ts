import path from "node:path";
import type { Adapter, AdapterPayload } from "oidc-provider";
import { z } from "zod";
import { readJsonFile, writeJsonFileAtomic } from "./files";

const entrySchema = z.object({
  model: z.string(),
  id: z.string(),
  payload: z.record(z.string(), z.unknown()),
  expiresAt: z.number().optional(),
});
type Entry = z.infer<typeof entrySchema>;
const snapshotSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });

const keyOf = (model: string, id: string) => `${model}:${id}`;

/**
 * All provider state (sessions, grants, codes, tokens, interactions) in one JSON file, so that a
 * restarted sandbox still honours the refresh tokens the app holds. The sandbox serves one
 * developer, so a whole-file rewrite per change is cheap enough and keeps the format obvious.
 */
class FileStore {
  readonly #file: string;
  readonly #entries = new Map<string, Entry>();
  #queuedWrite: Promise<void> | undefined;
  #lastWrite: Promise<void> = Promise.resolve();

  constructor(file: string, entries: Entry[]) {
    this.#file = file;
    for (const entry of entries) this.#entries.set(keyOf(entry.model, entry.id), entry);
  }

  get(model: string, id: string): AdapterPayload | undefined {
    const entry = this.#entries.get(keyOf(model, id));
    return entry && this.#live(entry) ? structuredClone(entry.payload) : undefined;
  }

  findOne(model: string, matches: (payload: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const entry of this.#entries.values()) {
      if (entry.model === model && this.#live(entry) && matches(entry.payload)) {
        return structuredClone(entry.payload);
      }
    }
    return undefined;
  }

  set(model: string, id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
    const expiresAt = expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000;
    this.#entries.set(keyOf(model, id), { model, id, payload: structuredClone(payload), expiresAt });
    return this.#persist();
  }

  update(model: string, id: string, change: (payload: AdapterPayload) => void): Promise<void> {
    const entry = this.#entries.get(keyOf(model, id));
    if (!entry) return Promise.resolve();
    change(entry.payload);
    return this.#persist();
  }

  deleteWhere(model: string, matches: (entry: Entry) => boolean): Promise<void> {
    for (const [key, entry] of this.#entries) {
      if (entry.model === model && matches(entry)) this.#entries.delete(key);
    }
    return this.#persist();
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.#lastWrite;
  }

  #live(entry: Entry): boolean {
    return entry.expiresAt === undefined || entry.expiresAt > Date.now();
  }

  // Changes that arrive while a write is running share the next write instead of each
  // rewriting the file; a caller's promise settles only once a write containing its change has.
  #persist(): Promise<void> {
    if (this.#queuedWrite) return this.#queuedWrite;
    const write = this.#lastWrite.then(() => {
      this.#queuedWrite = undefined;
      for (const [key, entry] of this.#entries) {
        if (!this.#live(entry)) this.#entries.delete(key);
      }
      return writeJsonFileAtomic(this.#file, { version: 1, entries: [...this.#entries.values()] });
    });
    this.#queuedWrite = write;
    this.#lastWrite = write.catch(() => undefined);
    return write;
  }
}

class FileAdapter implements Adapter {
  readonly #model: string;
  readonly #store: FileStore;

  constructor(model: string, store: FileStore) {
    this.#model = model;
    this.#store = store;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.#store.set(this.#model, id, payload, expiresIn);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#store.get(this.#model, id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.#store.findOne(this.#model, (payload) => payload.uid === uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.#store.findOne(this.#model, (payload) => payload.userCode === userCode);
  }

  async consume(id: string): Promise<void> {
    await this.#store.update(this.#model, id, (payload) => {
      payload.consumed = Math.floor(Date.now() / 1000);
    });
  }

  async destroy(id: string): Promise<void> {
    await this.#store.deleteWhere(this.#model, (entry) => entry.id === id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.#store.deleteWhere(this.#model, (entry) => entry.payload.grantId === grantId);
  }
}

export interface FileAdapterFactory {
  adapter: (model: string) => Adapter;
  flush(): Promise<void>;
}

export async function openFileAdapter(dataDir: string): Promise<FileAdapterFactory> {
  const file = path.join(dataDir, "provider-state.json");
  const stored = await readJsonFile(file);
  const entries = stored === undefined ? [] : snapshotSchema.parse(stored).entries;
  const store = new FileStore(file, entries);
  return {
    adapter: (model) => new FileAdapter(model, store),
    flush: () => store.flush(),
  };
}
