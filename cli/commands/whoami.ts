import { Session } from "../session";
import type { Terminal } from "../terminal";

/** Who the stored sign-in is for; asks no server. */
export async function whoami(session: Session, terminal: Terminal): Promise<void> {
  const { user, expiresAt, refreshToken } = await session.credential();
  const who = user.name && user.email && user.name !== user.email ? `${user.name} <${user.email}>` : (user.email ?? user.name ?? user.sub);
  const renewal = refreshToken ? "renewed automatically" : "log in again when it expires";
  terminal.write(`Signed in to ${session.origin} as ${who} (access token valid until ${new Date(expiresAt).toLocaleString()}, ${renewal}).\n`);
}
