import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { readJsonFile, writeJsonFileAtomic } from "./files";

const accountSchema = z.object({
  id: z.string(),
  /** The sandbox user it belongs to; connected accounts belong to the user, not to one app. */
  sub: z.string(),
  connection: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ConnectedAccount = z.infer<typeof accountSchema>;
const fileSchema = z.object({ version: z.literal(1), accounts: z.array(accountSchema) });

// Auth0's connected account ids start with "cac_"; keeping the shape makes logs look alike.
const newAccountId = () => `cac_${randomBytes(12).toString("base64url")}`;

/**
 * The accounts users connected on the sandbox's stand-in consent page: what Token Vault holds at Auth0.
 * One per user and connection; connecting again widens its scopes. Kept in `<dataDir>/connected-accounts.json`
 * so a restarted sandbox still answers Token Vault exchanges for them.
 */
export class ConnectedAccountStore {
  readonly #file: string;
  readonly #accounts: Map<string, ConnectedAccount>;
  #lastWrite: Promise<void> = Promise.resolve();

  private constructor(file: string, accounts: ConnectedAccount[]) {
    this.#file = file;
    this.#accounts = new Map(accounts.map((account) => [account.id, account]));
  }

  static async open(dataDir: string): Promise<ConnectedAccountStore> {
    const file = path.join(dataDir, "connected-accounts.json");
    const stored = await readJsonFile(file);
    return new ConnectedAccountStore(file, stored === undefined ? [] : fileSchema.parse(stored).accounts);
  }

  list(sub: string): ConnectedAccount[] {
    return [...this.#accounts.values()]
      .filter((account) => account.sub === sub)
      .map((account) => structuredClone(account));
  }

  find(sub: string, connection: string): ConnectedAccount | undefined {
    return this.list(sub).find((account) => account.connection === connection);
  }

  /** Creates the user's account for the connection, or adds the scopes to the one already there. */
  async connect(sub: string, connection: string, scopes: readonly string[]): Promise<ConnectedAccount> {
    const now = new Date().toISOString();
    const existing = this.find(sub, connection);
    const account: ConnectedAccount = existing
      ? { ...existing, scopes: [...new Set([...existing.scopes, ...scopes])], updatedAt: now }
      : { id: newAccountId(), sub, connection, scopes: [...new Set(scopes)], createdAt: now, updatedAt: now };
    this.#accounts.set(account.id, account);
    await this.#persist();
    return structuredClone(account);
  }

  /** False when the id names no account of this user, so one user can never learn of another's ids. */
  async remove(sub: string, id: string): Promise<boolean> {
    if (this.#accounts.get(id)?.sub !== sub) return false;
    this.#accounts.delete(id);
    await this.#persist();
    return true;
  }

  /** Resolves once every change made so far is on disk. */
  flush(): Promise<void> {
    return this.#lastWrite;
  }

  // Writes run one after another, each with the state current when it starts, so the last write
  // on disk always holds the latest state.
  #persist(): Promise<void> {
    const write = this.#lastWrite.then(() =>
      writeJsonFileAtomic(this.#file, { version: 1, accounts: [...this.#accounts.values()] }),
    );
    this.#lastWrite = write.catch(() => undefined);
    return write;
  }
}
