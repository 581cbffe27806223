// One error type for every bad input file, so callers and tests can point at the exact line.

/** A problem in a data file; the message is always one line: `file:line: problem`. */
export class DataError extends Error {
  readonly file: string;
  /** 1-based line number, or null when the problem concerns the whole file. */
  readonly line: number | null;
  readonly problem: string;

  constructor(file: string, line: number | null, problem: string) {
    // Newlines inside a quoted bad value would break the one-line contract.
    const flat = problem.replace(/[\r\n]+/g, " ");
    super(line === null ? `${file}: ${flat}` : `${file}:${line}: ${flat}`);
    this.name = "DataError";
    this.file = file;
    this.line = line;
    this.problem = flat;
  }
}
