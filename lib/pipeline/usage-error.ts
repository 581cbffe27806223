// The error for a bad command line: every command prints its one-line message and exits 2.

/** Thrown for bad command lines; `command` names the (sub)command whose line it was, when known. */
export class UsageError extends Error {
  override name = "UsageError";
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}
