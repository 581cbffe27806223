// `fall-dp throughput [--windows N] [--epochs N] [--workers 1,2] [--repeats N]`: windows/s of the thread
// trainer for each mode and worker count (lib/distributed/measure-throughput.ts). Internal, hidden
// from the program's help.
import * as os from "node:os";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagParser, FlagRule, positiveIntFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

const workerList: FlagParser = (raw, flag) => {
  if (!/^[1-9]\d*(,[1-9]\d*)*$/.test(raw)) throw new UsageError(`${flag} must be a comma-separated list of positive integers, got "${raw}"`);
  return raw;
};

interface ThroughputFlags {
  windows?: number;
  epochs?: number;
  workers?: string;
  repeats?: number;
}

const RULES: FlagRule<keyof ThroughputFlags>[] = [
  { flag: "--windows", arg: "N", key: "windows", parse: positiveIntFlag, help: "synthetic URFD-shaped training windows [default: 4096]" },
  { flag: "--epochs", arg: "N", key: "epochs", parse: positiveIntFlag, help: "epochs a run [default: 3]" },
  { flag: "--workers", arg: "LIST", key: "workers", parse: workerList, help: "worker counts, e.g. 1,2 [default: 1,2]" },
  { flag: "--repeats", arg: "N", key: "repeats", parse: positiveIntFlag, help: "runs a setting; the best steady rate is kept [default: 1]" },
];

export function throughputCommand(): StrictCommand {
  const command = new StrictCommand("throughput")
    .description("Windows/s of the thread trainer for each mode and worker count on synthetic URFD-shaped windows (a quick look; npm run bench is the record).")
    .flags(RULES);
  return withAction(command, async (c) => {
    const f = checkFlags(c.given, RULES) as ThroughputFlags;
    const { HEADER, measureThroughput } = await import("../distributed/measure-throughput");
    console.log(`# ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    console.log(HEADER);
    await measureThroughput({
      windows: f.windows, epochs: f.epochs, repeats: f.repeats,
      workerCounts: f.workers ? f.workers.split(",").map(Number) : undefined,
      log: (line) => console.log(line),
    });
    return 0;
  });
}

if (require.main === module) runCommand(throughputCommand(), process.argv.slice(2));
