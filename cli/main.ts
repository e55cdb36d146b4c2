import { parseArgs } from "node:util";
import { appOrigin } from "./app";
import { ask } from "./commands/ask";
import { chat } from "./commands/chat";
import { login } from "./commands/login";
import { logout } from "./commands/logout";
import { whoami } from "./commands/whoami";
import { CliError, describeFailure } from "./errors";
import { Session } from "./session";
import { nodeTerminal, type Terminal } from "./terminal";

const USAGE = `Delegate in the terminal.

Usage: npm run cli -- <command> [--url <app URL>]

  login              sign in through your browser (device code)
  ask "<question>"   ask one question in a new chat and print the answer
  chat               talk in one chat until Ctrl-D or "exit"
  whoami             show who you are signed in as
  logout             revoke and delete your tokens

--url defaults to DELEGATE_URL, else http://localhost:3000.`;

/** Runs one command; resolves to the process's exit code. */
export async function run(argv: string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === "help") {
    terminal.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 1 : 0;
  }
  const origin = appOrigin(values.url);
  const expectArguments = (count: number) => {
    if (rest.length > count) throw new CliError(`Too many arguments for ${command}${command === "ask" ? ": put the question in quotes" : ""}. See npm run cli -- help`);
  };
  switch (command) {
    case "login":
      expectArguments(0);
      await login(origin, terminal);
      return 0;
    case "logout":
      expectArguments(0);
      await logout(origin, terminal);
      return 0;
    case "whoami":
      expectArguments(0);
      await whoami(new Session(origin), terminal);
      return 0;
    case "ask":
      expectArguments(1);
      return (await ask(rest[0], new Session(origin), terminal)) ? 0 : 1;
    case "chat":
      expectArguments(0);
      await chat(new Session(origin), terminal);
      return 0;
    default:
      throw new CliError(`Unknown command "${command}". Commands: login, ask, chat, whoami, logout (npm run cli -- help).`);
  }
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: { url: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)} (npm run cli -- help)`);
  }
}

export async function main() {
  const terminal = nodeTerminal();
  try {
    process.exitCode = await run(process.argv.slice(2), terminal);
  } catch (error) {
    terminal.say(`✗ ${describeFailure(error)}`);
    if (process.env.DELEGATE_DEBUG && error instanceof Error) terminal.say(error.stack ?? "");
    process.exitCode = 1;
  } finally {
    terminal.close();
  }
}
