// The end of a CLI file: run main(argv) when the file is the entry point, exit with its code, and
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
