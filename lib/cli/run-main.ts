// The end of a CLI file: run main(argv) when the file is the entry point, exit with its code, and
import { UsageError } from "../pipeline/options";
// report a crash (an unexpected exception) with its stack and exit code 1.
export function runMain(mod: NodeModule, main: (argv: string[]) => Promise<number>): void {
  if (require.main !== mod) return;
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}

/**
 * The start of every small command: parse argv; --help prints `help` (exit 0), a UsageError prints
 * `name: message` (exit 2); anything else thrown is the caller's.
 */
export function parseCommandLine<T>(name: string, argv: readonly string[], parse: (argv: readonly string[]) => T | "help", help: string): { args: T } | { exit: number } {
  let args: T | "help";
  try {
    args = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${name}: ${err.message}`);
    return { exit: 2 };
  }
  if (args === "help") {
    console.log(help);
    return { exit: 0 };
  }
  return { args };
}
