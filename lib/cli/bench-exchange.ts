// `fall-dp bench-exchange [--rate-mbit 1000]` (internal, hidden from the help; also node dist/lib/cli/bench-exchange.js): the time of one cross-rank weight exchange
// (the synchronous modes' weighted allreduce) for the default model's and the original preset's
// weight counts, over 2 and 3 simulated hosts whose links are capped with tc tbf, and on one host
// (shared memory). Needs root, iproute2 and Open MPI. Writes runs/bench/exchange.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { findProjectRoot } from "../data/project-root";
import { localMpirunArgs, mpirunArgs, resolveCluster } from "../cluster/launcher";
import { simHostsDown, simHostsUnavailable, simHostsUp } from "../cluster/sim-hosts";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagRule, positiveIntFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

const PROGRAM = path.join(__dirname, "..", "cluster", "measure-exchange.js");
/** Weights of the default model (F = 24) and of the original preset (Embedding + 3 × LSTM(256)). */
const SIZES = { default: 7329, original: 1_373_649 };

function run(args: string[]): unknown {
  const r = spawnSync("mpirun", [...args, process.execPath, PROGRAM, String(SIZES.default), String(SIZES.original)], { encoding: "utf8", timeout: 180_000 });
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("@@exchange "));
  if (r.status !== 0 || !line) throw new Error(`mpirun failed (${r.status}): ${(r.stderr || r.stdout || "").trim().split("\n").slice(-1)[0]}`);
  return JSON.parse(line.slice("@@exchange ".length));
}

const RULES: FlagRule<"rateMbit">[] = [{ flag: "--rate-mbit", arg: "N", key: "rateMbit", parse: positiveIntFlag, help: "link rate of the simulated hosts in Mbit/s [default: 1000]" }];

/** `bench-exchange`: time one cross-rank weight exchange on one host and over simulated hosts. */
export function benchExchangeCommand(): StrictCommand {
  const command = new StrictCommand("bench-exchange")
    .description("Times one cross-rank weight exchange for the default model's and the original preset's weight counts over 2 and 3 simulated hosts (root, iproute2, Open MPI) and on one host. Writes runs/bench/exchange.json.")
    .flags(RULES);
  return withAction(command, (c) => {
    benchExchange((checkFlags(c.given, RULES).rateMbit as number | undefined) ?? 1000);
    return 0;
  });
}

function benchExchange(rate: number): void {
  const why = simHostsUnavailable();
  if (why) throw new Error(why);
  const rows: unknown[] = [];
  for (const ranks of [2, 3]) {
    rows.push({ where: "one host (shared memory)", ranks, ...(run(localMpirunArgs(ranks)) as object) });
    const sim = simHostsUp(ranks, { rateMbit: rate });
    try {
      const c = resolveCluster({ kind: "mpi", ranks, hostfile: sim.hostfile, launchAgent: sim.agent, network: sim.subnet });
      const args = mpirunArgs(c, []);
      rows.push({ where: `${ranks} simulated hosts, veth capped at ${rate} Mbit/s`, ranks, ...(run(args) as object) });
    } finally {
      simHostsDown(sim);
    }
  }
  const out = path.join(findProjectRoot(), "runs", "bench", "exchange.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ measuredAt: new Date().toISOString(), sizes: SIZES, rows }, null, 2) + "\n");
  console.log(JSON.stringify(rows, null, 1));
  console.log(`wrote ${out}`);
}

if (require.main === module) runCommand(benchExchangeCommand(), process.argv.slice(2));
