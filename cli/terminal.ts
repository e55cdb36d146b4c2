import { createInterface, type Interface } from "node:readline";
import { spinner } from "@clack/prompts";
import { safeText } from "./safe-text";

/**
 * Everything the commands do with the terminal, behind one interface so tests can play the user. The answer goes to
 * stdout; prompts and progress go to stderr, so `ask … > answer.txt` keeps only the answer.
 */
export interface Terminal {
  /** The answer's text, as it streams. */
  write(text: string): void;
  /** A line of progress or explanation. */
  say(line: string): void;
  /** The user's next line; null once input has ended (Ctrl-D, or the end of piped input). */
  readLine(prompt: string): Promise<string | null>;
  /**
   * Waits `ms`, showing `status()` with a spinner, refreshed each second, on a terminal. Resolves early,
   * with false, when the user presses Ctrl-C; with true once the time is up.
   */
  wait(ms: number, status: () => string): Promise<boolean>;
  /** Shows `status` with a spinner (a plain line when not on a terminal) until `work` settles. */
  busy<T>(status: string, work: Promise<T>): Promise<T>;
  now(): number;
}

export function nodeTerminal(): Terminal & { close(): void } {
  const interactive = Boolean(process.stderr.isTTY);
  const keyboard = Boolean(process.stdin.isTTY);
  // One reader for piped input, which holds several lines in one chunk that a reader closed after each line would
  // drop. On a keyboard the reader is closed while waiting: it keeps the terminal in raw mode, where Ctrl-C is a key
  // rather than the interrupt the wait listens for.
  let reader: Interface | undefined;
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const openReader = () => {
    if (reader) return reader;
    const opened = createInterface({ input: process.stdin, output: process.stderr, terminal: keyboard });
    reader = opened;
    opened.on("line", (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
    // Ctrl-C at a prompt leaves it, as Ctrl-D does.
    opened.on("SIGINT", () => opened.close());
    opened.on("close", () => {
      if (reader !== opened) return; // set aside for a wait, not the end of input
      reader = undefined;
      ended = true;
      for (const resolve of waiting.splice(0)) resolve(null);
    });
    return opened;
  };
  // What follows the prompt starts on a line of its own, as it would after Enter.
  const endOfInput = () => {
    process.stderr.write("\n");
    return null;
  };
  const setReaderAside = () => {
    const open = reader;
    if (!open) return;
    if (!keyboard) return void open.pause();
    reader = undefined;
    open.close();
  };

  return {
    // Everything shown passes here, so no text from the server can act on the terminal (cli/safe-text.ts).
    write: (text) => void process.stdout.write(safeText(text)),
    say: (line) => void process.stderr.write(`${safeText(line)}\n`),
    readLine(prompt) {
      process.stderr.write(safeText(prompt));
      if (lines.length > 0) return Promise.resolve(lines.shift()!);
      if (ended) return Promise.resolve(endOfInput());
      openReader().resume();
      return new Promise((resolve) => waiting.push((line) => resolve(line ?? endOfInput())));
    },
    wait(ms, status) {
      setReaderAside();
      return new Promise((resolve) => {
        // Off a terminal a line a second would bury the rest: the caller has said what is awaited, until when.
        const progress = interactive ? spinner({ output: process.stderr }) : undefined;
        progress?.start(safeText(status()));
        const ticker = progress ? setInterval(() => progress.message(safeText(status())), 1000) : undefined;
        const finish = (done: boolean) => {
          clearTimeout(timer);
          clearInterval(ticker);
          process.off("SIGINT", interrupted);
          progress?.clear();
          resolve(done);
        };
        const interrupted = () => finish(false);
        const timer = setTimeout(() => finish(true), ms);
        process.once("SIGINT", interrupted);
      });
    },
    async busy(status, work) {
      if (!interactive) {
        process.stderr.write(`${safeText(status)}\n`);
        return work;
      }
      const progress = spinner({ output: process.stderr });
      progress.start(safeText(status));
      try {
        return await work;
      } finally {
        progress.clear();
      }
    },
    now: () => Date.now(),
    close: () => reader?.close(),
  };
}
