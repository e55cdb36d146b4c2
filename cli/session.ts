import { loginCommand } from "./app";
import { configDir } from "./config-dir";
import { CredentialStore, type Credential } from "./credentials";
import { CliError } from "./errors";
import { refresh } from "./oauth";

/** Renewed this long before it expires, so a token does not lapse between the check and the server reading it. */
const EXPIRY_MARGIN_MS = 60_000;

export const defaultStore = () => new CredentialStore(configDir());

/**
 * The signed-in user's access token for one app, renewed with the refresh token when it has expired (or is about
 * to, or `force`: the server refused it) and saved again.
 */
export class Session {
  constructor(
    readonly origin: string,
    private readonly store: CredentialStore = defaultStore(),
    private readonly renew: (credential: Credential) => Promise<Credential> = refresh,
    private readonly now: () => number = Date.now,
  ) {}

  async credential(): Promise<Credential> {
    const credential = await this.store.get(this.origin);
    if (!credential) throw new CliError(`You are not signed in to ${this.origin}. Run \`${loginCommand(this.origin)}\` first.`);
    return credential;
  }

  async accessToken({ force = false } = {}): Promise<string> {
    const credential = await this.credential();
    if (!force && credential.expiresAt - EXPIRY_MARGIN_MS > this.now()) return credential.accessToken;
    const renewed = await this.renew(credential);
    await this.store.set(this.origin, renewed);
    return renewed.accessToken;
  }
}
