import { createInterface, type Interface } from "node:readline";
import { spinner } from "@clack/prompts";

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
   * Waits `ms`, showing `status()` (refreshed each second on a terminal, printed once otherwise). Resolves early,
   * with false, when the user presses Ctrl-C; with true once the time is up.
   */
  wait(ms: number, status: () => string): Promise<boolean>;
  /** Shows `status` with a spinner (a plain line when not on a terminal) until `work` settles. */
  busy<T>(status: string, work: Promise<T>): Promise<T>;
  now(): number;
}

export function nodeTerminal(): Terminal & { close(): void } {
  const interactive = Boolean(process.stderr.isTTY);
  // One reader for the whole run: piped input holds several lines in one chunk, and a reader closed after each
  // line would drop the rest.
  let reader: Interface | undefined;
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  const openReader = () => {
    if (reader) return reader;
    reader = createInterface({ input: process.stdin, output: process.stderr, terminal: Boolean(process.stdin.isTTY) });
    reader.on("line", (line) => (waiting.length > 0 ? waiting.shift()!(line) : lines.push(line)));
    reader.on("close", () => {
      ended = true;
      for (const resolve of waiting.splice(0)) resolve(null);
    });
    return reader;
  };

  return {
    write: (text) => void process.stdout.write(text),
    say: (line) => void process.stderr.write(`${line}\n`),
    readLine(prompt) {
      const input = openReader();
      process.stderr.write(prompt);
      if (lines.length > 0) return Promise.resolve(lines.shift()!);
      if (ended) return Promise.resolve(null);
      input.resume();
      return new Promise((resolve) => waiting.push(resolve));
    },
    wait(ms, status) {
      reader?.pause();
      return new Promise((resolve) => {
        const progress = interactive ? spinner({ output: process.stderr }) : undefined;
        if (progress) progress.start(status());
        else process.stderr.write(`${status()}\n`);
        const ticker = progress ? setInterval(() => progress.message(status()), 1000) : undefined;
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
        process.stderr.write(`${status}\n`);
        return work;
      }
      const progress = spinner({ output: process.stderr });
      progress.start(status);
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
