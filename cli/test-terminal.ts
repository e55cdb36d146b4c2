import { readFileSync } from "node:fs";
import path from "node:path";
import type { ChatRequestBody } from "./api";
import type { Terminal } from "./terminal";

/**
 * A terminal for tests: the user's lines are scripted (then input ends, as with Ctrl-D), waits take no time but are
 * recorded, and the clock stands still unless a wait moves it.
 */
export function scriptedTerminal(lines: string[], start = Date.parse("2030-01-01T12:00:00Z")) {
  let now = start;
  const output = { stdout: "", stderr: "", waits: [] as { ms: number; status: string }[], prompts: [] as string[] };
  const terminal: Terminal = {
    write: (text) => void (output.stdout += text),
    say: (line) => void (output.stderr += `${line}\n`),
    readLine: async (prompt) => {
      output.prompts.push(prompt);
      return lines.length > 0 ? lines.shift()! : null;
    },
    wait: async (ms, status) => {
      output.waits.push({ ms, status: status() });
      now += ms;
      return true;
    },
    busy: (_status, work) => work,
    now: () => now,
  };
  return { terminal, output };
}

/** A recorded reply of the chat API (tests/fixtures/cli/), delivered in uneven pieces as a network would. */
export function recordedReply(name: string): ReadableStream<Uint8Array> {
  const bytes = readFileSync(path.join(import.meta.dirname, "..", "tests", "fixtures", "cli", `${name}.sse`));
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 37) controller.enqueue(new Uint8Array(bytes.subarray(at, at + 37)));
      controller.close();
    },
  });
}

/** Answers each request with the next recorded reply, keeping the requests. */
export function replaying(...names: string[]) {
  const requests: ChatRequestBody[] = [];
  const post = async (body: ChatRequestBody) => {
    requests.push(body);
    const name = names.shift();
    if (!name) throw new Error(`unexpected request ${JSON.stringify(body)}`);
    return recordedReply(name);
  };
  return { post, requests };
}
