/**
 * Whether the error, or one it wraps, passes `test`: drizzle wraps the driver's error in its own, whose cause it is.
 * A few levels at most, so a cycle of causes cannot loop.
 */
export function hasCause(error: unknown, test: (cause: Error) => boolean): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) if (test(cause)) return true;
  return false;
}
