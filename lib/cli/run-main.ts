// The one way every command ends: parse with commander, run the chosen command's action, exit 0 on
// success (or after --help), 2 on a usage error, 1 on any other failure; a failure is one line
// `<command>: <message>` on stderr, its stack only with FALL_DEBUG=1.
import { CommanderError } from "commander";
import { StrictCommand } from "../pipeline/command-line";
import { UsageError } from "../pipeline/options";

/** The command whose action ran, and the exit code it asked for (a check that found problems asks for 1). */
let ran: { name: string; code: number } | null = null;

/** Give `command` its action: `run` gets the command (its `given` flags and `args`) and returns the exit code. */
export function withAction<C extends StrictCommand>(command: C, run: (command: C) => Promise<number> | number): C {
  command.action(async () => {
    ran = { name: command.commandPath(), code: 1 };
    ran.code = await run(command);
  });
  return command;
}

/** The exit code for what `parseAsync` threw, after saying it in one line. */
function exitCodeFor(err: unknown, name: string): number {
  if (err instanceof CommanderError && err.code === "commander.helpDisplayed") return 0;
  const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
  if (err instanceof UsageError) {
    console.error(`${err.command ?? name}: ${message}`);
    return 2;
  }
  console.error(`${name}: ${message}`);
  if (process.env.FALL_DEBUG) console.error(err);
  return 1;
}

/** Run `command` on `argv` (no node, no script) and exit the process with its code. */
export function runCommand(command: StrictCommand, argv: readonly string[]): void {
  command.parseAsync([...argv], { from: "user" }).then(
    () => process.exit(ran?.code ?? 0),
    (err: unknown) => process.exit(exitCodeFor(err, ran?.name ?? command.name())),
  );
}
