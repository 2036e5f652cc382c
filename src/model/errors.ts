// What a caught value says, for diagnostics and status lines: anything can be thrown.

/** The message of an Error, or the thrown value as text. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The first line of it: status lines and table cells stay one line. */
export function firstLine(e: unknown): string {
  return errorMessage(e).split('\n')[0] ?? '';
}
