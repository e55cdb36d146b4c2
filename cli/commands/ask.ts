import { CliError } from "../errors";
import type { Session } from "../session";
import type { Terminal } from "../terminal";
import { localTimeZone, postWith, runTurn } from "../turn";

/** One question in a new chat; the answer on stdout. Resolves to whether the turn completed. */
export async function ask(question: string | undefined, session: Session, terminal: Terminal): Promise<boolean> {
  if (!question?.trim()) throw new CliError('Give a question in quotes, for example: npm run cli -- ask "What is on my calendar today?"');
  await session.credential();
  const context = { chatId: crypto.randomUUID(), origin: session.origin, timeZone: localTimeZone(), terminal, described: new Set<string>() };
  return (await runTurn(question, context, postWith(session))).ok;
}
