import { CliError } from "../errors";
import { messageOf, revoke } from "../oauth";
import { defaultStore } from "../session";
import type { Terminal } from "../terminal";

/**
 * Revokes the refresh token at the identity server (which ends the access tokens' renewal), then forgets the tokens.
 * If the server cannot be reached they are kept, so a later logout can still revoke them.
 */
export async function logout(origin: string, terminal: Terminal, store = defaultStore()): Promise<void> {
  const credential = await store.get(origin);
  if (!credential) {
    terminal.write(`You were not signed in to ${origin}.\n`);
    return;
  }
  await revoke(credential).catch((error: unknown) => {
    throw new CliError(`Could not revoke your sign-in at ${credential.issuer} (${messageOf(error)}). Nothing was deleted; try again.`);
  });
  await store.delete(origin);
  terminal.write(`Signed out of ${origin}: the refresh token is revoked and the tokens are deleted.\n`);
}
