import { CliError, describeFailure } from "../errors";
import type { Session } from "../session";
import type { Terminal } from "../terminal";
import { localTimeZone, postWith, runTurn } from "../turn";

const EXIT_WORDS = new Set(["exit", "quit", ":q"]);

/**
 * An interactive conversation in one chat, until Ctrl-D or "exit". A refused message (too many, service down) is
 * reported and the conversation goes on.
 */
export async function chat(session: Session, terminal: Terminal): Promise<void> {
  const { user } = await session.credential();
  const context = { chatId: crypto.randomUUID(), origin: session.origin, timeZone: localTimeZone(), terminal, described: new Set<string>() };
  terminal.say(`Chatting with Delegate as ${user.email ?? user.sub}. Type "exit" or press Ctrl-D to leave.`);
  terminal.say(`This conversation, in the browser: ${new URL(`/chat/${context.chatId}`, session.origin).href}`);
  for (;;) {
    const line = await terminal.readLine("\nyou › ");
    if (line === null || EXIT_WORDS.has(line.trim().toLowerCase())) return;
    if (!line.trim()) continue;
    try {
      await runTurn(line, context, postWith(session));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      terminal.say(`✗ ${describeFailure(error)}`);
    }
  }
}
