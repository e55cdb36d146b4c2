import QRCode from "qrcode";
import { discoverChatApi } from "../app";
import { CliError } from "../errors";
import { credentialFrom, identityServer, startDeviceLogin } from "../oauth";
import { defaultStore } from "../session";
import type { Terminal } from "../terminal";

/**
 * Signs in with the Device Authorization Flow (RFC 8628): the user confirms the code in any browser, on this
 * machine or their phone (hence the QR code), while the CLI polls. Ctrl-C stops waiting.
 */
export async function login(origin: string, terminal: Terminal, store = defaultStore()): Promise<void> {
  const api = await discoverChatApi(origin);
  const config = await identityServer(api.issuer, api.clientId);
  const device = await startDeviceLogin(config, api.audience);
  const link = device.verificationUriComplete ?? device.verificationUri;
  terminal.write(`To sign in to Delegate at ${origin}, open this page in a browser:\n\n  ${link}\n\nand check that it shows the code  ${device.userCode}\n\n`);
  terminal.write(await QRCode.toString(link, { type: "terminal", small: true }));
  terminal.write(`\n`);

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  try {
    const tokens = await terminal.busy(`Waiting for you to confirm the code (it expires in ${Math.round(device.expiresIn / 60)} minutes)…`, device.tokens(stop.signal));
    const credential = credentialFrom(tokens, api);
    if (!credential.refreshToken) terminal.say("The identity server gave no refresh token: you will need to log in again when this sign-in expires.");
    await store.set(origin, credential);
    terminal.write(`Signed in to ${origin} as ${credential.user.email ?? credential.user.name ?? credential.user.sub}.\n`);
    terminal.write(`Your tokens are in ${store.file}, readable by you only.\n`);
  } catch (error) {
    if (stop.signal.aborted) throw new CliError("Sign-in cancelled.");
    throw error;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}
