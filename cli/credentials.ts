import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CliError } from "./errors";

/** One sign-in: the tokens for one Delegate app, and what they were obtained from. */
export const credentialSchema = z.object({
  issuer: z.string(),
  clientId: z.string(),
  audience: z.string(),
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  /** Milliseconds since the epoch. */
  expiresAt: z.number(),
  user: z.object({ sub: z.string(), email: z.string().optional(), name: z.string().optional() }),
});
export type Credential = z.infer<typeof credentialSchema>;

const fileSchema = z.object({ version: z.literal(1), apps: z.record(z.string(), credentialSchema) });
type CredentialsFile = z.infer<typeof fileSchema>;

/**
 * The tokens, in `<config dir>/credentials.json`, keyed by the app's origin so one person can be signed in to a local
 * and a deployed Delegate at once. Only the owner can read them: the folder is 0700 and the file 0600, written to a
 * temporary file of that mode and renamed over the old one, so a reader never sees half a file or a wider mode.
 */
export class CredentialStore {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = path.join(dir, "credentials.json");
  }

  async get(app: string): Promise<Credential | undefined> {
    return (await this.read()).apps[app];
  }

  async set(app: string, credential: Credential): Promise<void> {
    const file = await this.read();
    await this.write({ ...file, apps: { ...file.apps, [app]: credential } });
  }

  /** Returns whether there was an entry to delete. */
  async delete(app: string): Promise<boolean> {
    const file = await this.read();
    if (!Object.hasOwn(file.apps, app)) return false;
    const { [app]: _removed, ...apps } = file.apps;
    if (Object.keys(apps).length === 0) await rm(this.file, { force: true });
    else await this.write({ ...file, apps });
    return true;
  }

  private async read(): Promise<CredentialsFile> {
    const text = await readFile(this.file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw new CliError(`Cannot read ${this.file}: ${error.message}`);
    });
    if (text === null) return { version: 1, apps: {} };
    const parsed = fileSchema.safeParse(parseJson(text));
    if (!parsed.success) throw new CliError(`${this.file} is not a credentials file this CLI wrote. Move it away and run \`npm run cli -- login\`.`);
    return parsed.data;
  }

  private async write(file: CredentialsFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.refuseForeignFolder();
    // mkdir leaves an existing folder's mode alone, and the umask may have narrowed a new one: set it either way.
    await chmod(this.dir, 0o700);
    // A new file under a random name, created exclusively: nothing planted in the folder can receive the tokens.
    const temporary = `${this.file}.${randomBytes(8).toString("hex")}.tmp`;
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await rename(temporary, this.file);
  }

  /** The folder must be a real folder of this user's: a symlink or someone else's folder could hand the tokens over. */
  private async refuseForeignFolder(): Promise<void> {
    const folder = await lstat(this.dir);
    const uid = process.getuid?.();
    if (folder.isSymbolicLink() || !folder.isDirectory() || (uid !== undefined && folder.uid !== uid)) {
      throw new CliError(`${this.dir} is not a folder of your own (a link, or owned by someone else), so no tokens are written there. Remove it, or set XDG_CONFIG_HOME to a folder of yours.`);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
