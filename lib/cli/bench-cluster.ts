// `fall-dp bench-cluster [--quick] [--rate-mbit N] [--scales 1,10,100] [--out FILE]` (internal, hidden from the help): only the
// cluster part of `npm run bench` (lib/bench/cluster-bench.ts), written to its own JSON file.
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../data/project-root";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagRule, positiveIntFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";
import { UsageError } from "../pipeline/options";

interface Args {
  quick?: boolean;
  rateMbit?: number;
  scales?: string;
  out?: string;
}

/** "1,10,100": multiples of URFD's windows for the epoch rows, each 1, 10 or 100 (checked; kept as text). */
function scalesFlag(raw: string, flag: string): string {
  if (raw.split(",").some((n) => !["1", "10", "100"].includes(n))) throw new UsageError(`${flag} takes a comma list of 1, 10 and 100, got "${raw}"`);
  return raw;
}

function scaleList(text: string): number[] {
  return [...new Set(text.split(",").map(Number))].sort((a, b) => a - b);
}

const RULES: FlagRule<keyof Args>[] = [
  { flag: "--quick", key: "quick", help: "one exchange size, 2 ranks, a small epoch: checks that it runs" },
  { flag: "--rate-mbit", arg: "N", key: "rateMbit", parse: positiveIntFlag, help: "link rate of the simulated hosts in Mbit/s [default: 1000]" },
  { flag: "--scales", arg: "LIST", key: "scales", parse: scalesFlag, help: "the epoch rows' data sizes, multiples of URFD's windows [default: 1,10,100]" },
  { flag: "--out", arg: "FILE", key: "out", parse: textFlag, help: "where to write the JSON [default: runs/bench/cluster.json]" },
];

/** `bench-cluster`: the bench's cluster figures alone. */
export function benchClusterCommand(): StrictCommand {
  const command = new StrictCommand("bench-cluster")
    .description("The cluster part of `fall-dp bench` alone: exchange times on one host and over simulated hosts, epochs of ranks beside threads at 1x/10x/100x URFD, peak memory per rank.")
    .flags(RULES);
  return withAction(command, async (c) => {
    const a = checkFlags(c.given, RULES) as Args;
    const { measureCluster } = await import("../bench/cluster-bench");
    const result = await measureCluster({ quick: a.quick === true, rateMbit: a.rateMbit ?? 1000, scales: a.quick ? [1] : (a.scales ? scaleList(a.scales) : [1, 10, 100]), epochs: 3, log: (l) => console.log(l) });
    if (typeof result === "string") throw new Error(`bench-cluster: ${result}`);
    const out = path.resolve(a.out ?? path.join(findProjectRoot(), "runs", "bench", "cluster.json"));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), ...result }, null, 2) + "\n");
    console.log(`wrote ${out}`);
    return 0;
  });
}

if (require.main === module) runCommand(benchClusterCommand(), process.argv.slice(2));
