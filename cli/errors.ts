/**
 * A failure the user can act on, said in one line: the CLI prints its message and exits 1, never a stack trace.
 * Anything else that escapes is a bug, and is still reported in one line (DELEGATE_DEBUG=1 shows the stack).
 */
export class CliError extends Error {
  override name = "CliError";
}

export function describeFailure(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `Something went wrong: ${message}`;
}
