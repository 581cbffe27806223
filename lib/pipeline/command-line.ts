// How a command line becomes raw flag texts: commander declares and tokenizes it (--flag v, --flag=v,
// -h, subcommands, generated help) and each command's own validator checks the values; every usage
// problem commander finds is a one-line UsageError naming the command, never a process.exit.
import { Command, Option } from "commander";
import type { HelpContext } from "commander";
import { UsageError } from "./usage-error";

/** One flag of a command: `arg` names its value in the help; without it the flag is a switch. */
export interface FlagSpec {
  flag: string;
  arg?: string;
  help: string;
}

/** The flags given, in the order given: each one's raw text, or true for a switch. */
export type RawFlags = Map<string, string | true>;

/** Help printed to a terminal wraps to its width; piped help keeps one line per option (greppable). */
const helpWidth = (): number => (process.stdout.isTTY ? process.stdout.columns : 10_000);

export class StrictCommand extends Command {
  /** What the command line gave, filled while commander parses. */
  readonly given: RawFlags = new Map();
  private readonly specs = new Map<Option, FlagSpec>();
  /** False for the program itself: its subcommands' messages start with their own names. */
  namedInMessages = true;

  constructor(name?: string) {
    super(name);
    this.exitOverride();
    this.showSuggestionAfterError(false);
    this.allowExcessArguments(false);
    this.configureOutput({ getOutHelpWidth: helpWidth, getErrHelpWidth: helpWidth });
    this.configureHelp({ optionTerm: (o) => this.term(o) });
  }

  override createCommand(name?: string): StrictCommand {
    return new StrictCommand(name);
  }

  /** Declare flags; a value is only recorded here (raw), a flag given twice is a UsageError. */
  flags(specs: readonly FlagSpec[]): this {
    for (const spec of specs) {
      const option = new Option(spec.arg === undefined ? spec.flag : `${spec.flag} <value>`, spec.help);
      this.specs.set(option, spec);
      this.addOption(option);
      this.on(`option:${option.name()}`, (value?: string) => {
        if (this.given.has(spec.flag)) throw this.usageError(`${spec.flag} given twice`);
        // Commander takes the next word as the value even when it is another flag (`--out --quiet`): refuse, not a file named --quiet.
        if (spec.arg !== undefined && value !== undefined && this.isFlagWord(value)) throw this.usageError(`${spec.flag} expects a value${spec.arg ? ` (${spec.arg})` : ""}, got the flag ${value}`);
        this.given.set(spec.flag, value ?? true);
      });
    }
    return this;
  }

  /** Whether a word is one of this command's flags (or -h/--help), with or without `=value`. */
  private isFlagWord(word: string): boolean {
    if (!word.startsWith("-")) return false;
    const name = word.split("=")[0];
    return name === "-h" || name === "--help" || this.options.some((o) => o.long === name || o.short === name);
  }

  /** `--flag ARG` as the help shows it (commander's own flag syntax cannot hold names like lstm|gru). */
  private term(option: Option): string {
    const spec = this.specs.get(option);
    return spec === undefined ? option.flags : spec.arg === undefined ? spec.flag : `${spec.flag} ${spec.arg}`;
  }

  /** Names from the program down to this command, e.g. `fall-dp sim-hosts up` (`all`) or `sim-hosts up`. */
  commandPath(all = false): string {
    const names: string[] = [];
    for (let c: Command | null = this; c; c = c.parent) if (all || !(c instanceof StrictCommand) || c.namedInMessages || c === this) names.unshift(c.name());
    return names.join(" ");
  }

  usageError(message: string): UsageError {
    return new UsageError(message, this.commandPath());
  }

  // Commander's own checks end here instead of printing and exiting.
  override error(message: string, options?: { code?: string }): never {
    if (options?.code === "commander.excessArguments") {
      throw this.usageError(`too many arguments: ${this.args.map((a) => `"${a}"`).join(" ")} (see ${this.commandPath(true)} --help)`);
    }
    throw this.usageError(message.replace(/^error: /, ""));
  }

  // Overrides of commander 10's (untyped) reporters, for messages that name the flag as before.
  unknownOption(flag: string): never {
    const eq = flag.indexOf("=");
    const spec = eq > 0 ? this.options.find((o) => o.long === flag.slice(0, eq)) : undefined;
    if (spec?.isBoolean()) throw this.usageError(`${spec.long} takes no value`);
    throw this.usageError(`unknown option "${flag}" (see --help)`);
  }

  optionMissingArgument(option: Option): never {
    const spec = this.specs.get(option);
    throw this.usageError(`${option.long} expects a value${spec?.arg ? ` (${spec.arg})` : ""}`);
  }

  unknownCommand(): never {
    throw this.usageError(`unknown command "${this.args[0]}" (see ${this.commandPath(true)} --help)`);
  }

  // A program run without a command: one line, not the whole help on stderr.
  override help(context?: HelpContext | ((text: string) => string)): never {
    if (typeof context === "object" && context.error) throw this.usageError(`missing command (see ${this.commandPath(true)} --help)`);
    return super.help(context as HelpContext);
  }
}

/** A list flag's values checked for repeats: a UsageError naming the first value given twice. */
export function refuseRepeats(flag: string, values: readonly unknown[]): void {
  const seen = new Set<unknown>();
  for (const v of values) {
    if (seen.has(v)) throw new UsageError(`${flag} lists ${v} twice`);
    seen.add(v);
  }
}

/** Parse `argv` (no node, no script) with `command`: the raw flags, or "help" when -h/--help was given (nothing printed). */
export function parseRawFlags(command: StrictCommand, argv: readonly string[]): RawFlags | "help" {
  command.configureOutput({ writeOut: () => undefined });
  command.action(() => undefined);
  try {
    command.parse([...argv], { from: "user" });
  } catch (err) {
    if ((err as { code?: string }).code === "commander.helpDisplayed") return "help";
    throw err;
  }
  return command.given;
}
