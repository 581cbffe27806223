// `fall-dp profile [experiments...] [--windows N] [--rounds N] [--kind gru|lstm] [--out FILE]`: where
// the time of a 2-worker epoch goes (lib/bench/profile.ts). Internal, hidden from the program's help.
import * as path from "node:path";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagParser, FlagRule, positiveIntFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

// lib/bench/profile.ts loads TensorFlow.js: its names are listed here for --help, and checked against it on use.
const EXPERIMENTS = ["breakdown", "ceiling", "batch", "balance", "warmup", "transfer"];

const kind: FlagParser = (raw, flag) => {
  if (raw !== "gru" && raw !== "lstm") throw new UsageError(`${flag} must be one of gru|lstm, got "${raw}"`);
  return raw;
};

interface ProfileFlags {
  windows?: number;
  rounds?: number;
  kind?: "gru" | "lstm";
  out?: string;
}

const RULES: FlagRule<keyof ProfileFlags>[] = [
  { flag: "--windows", arg: "N", key: "windows", parse: positiveIntFlag, help: "training windows [default: 2048]" },
  { flag: "--rounds", arg: "N", key: "rounds", parse: positiveIntFlag, help: "repetitions [default: 2]" },
  { flag: "--kind", arg: "gru|lstm", key: "kind", parse: kind, help: "recurrent layer [default: gru]" },
  { flag: "--out", arg: "FILE", key: "out", parse: textFlag, help: "where to write the results [default: runs/bench/profile.json]" },
];

/** `profile`: the "make it fast" experiments. */
export function profileCommand(): StrictCommand {
  const command = new StrictCommand("profile")
    .description("Where the time of a 2-worker epoch goes, and what moves the numbers (not part of fall-dp bench). Writes runs/bench/profile.json.")
    .argument("[experiments...]", `any of ${EXPERIMENTS.join(", ")} [default: all but balance]`)
    .flags(RULES);
  return withAction(command, async (c) => {
    const f = checkFlags(c.given, RULES) as ProfileFlags;
    const { profileDefaults, runProfile, PROFILE_EXPERIMENTS } = await import("../bench/profile");
    const unknown = c.args.find((e) => !(e in PROFILE_EXPERIMENTS));
    if (unknown !== undefined) throw new UsageError(`unknown experiment "${unknown}" (${Object.keys(PROFILE_EXPERIMENTS).join(", ")})`);
    const d = profileDefaults();
    await runProfile({ experiments: c.args.length ? c.args : d.experiments, windows: f.windows ?? d.windows, rounds: f.rounds ?? d.rounds, kind: f.kind ?? d.kind, out: f.out ? path.resolve(f.out) : d.out });
    return 0;
  });
}

if (require.main === module) runCommand(profileCommand(), process.argv.slice(2));
