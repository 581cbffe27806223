// `fall-dp sim-hosts up [N]` creates N simulated hosts (network namespaces, root only) and prints the
// pipeline flags that reach them; `... down DIR` removes them again (DIR as printed). Internal, hidden
// from the program's help; also node dist/lib/cli/sim-hosts.js up N | down DIR.
import * as fs from "node:fs";
import * as path from "node:path";
import { SimCluster, simHostsDown, simHostsUnavailable, simHostsUp } from "../cluster/sim-hosts";
import { StrictCommand } from "../pipeline/command-line";
import { intFlag } from "./flags";
import { runCommand, withAction } from "./run-main";

function up(n: number): number {
  const why = simHostsUnavailable();
  if (why) throw new Error(why);
  const rate = process.env.SIM_RATE_MBIT ? Number(process.env.SIM_RATE_MBIT) : undefined;
  const sim = simHostsUp(n, rate ? { rateMbit: rate } : {});
  fs.writeFileSync(path.join(sim.dir, "cluster.json"), JSON.stringify(sim, null, 2));
  console.log(`${n} simulated host(s): ${sim.hosts.map((h) => `${h.name} ${h.address}`).join(", ")}`);
  console.log(`pipeline flags: --cluster mpi --hostfile ${sim.hostfile} --launch-agent ${sim.agent} --mpi-network ${sim.subnet} --ranks ${n}`);
  console.log(`remove with: node dist/lib/cli/sim-hosts.js down ${sim.dir}`);
  return 0;
}

function down(dir: string): number {
  const sim = JSON.parse(fs.readFileSync(path.join(dir, "cluster.json"), "utf8")) as SimCluster;
  simHostsDown(sim);
  console.log(`removed ${sim.hosts.length} simulated host(s) and ${sim.dir}`);
  return 0;
}

/** `sim-hosts up|down`: simulated hosts for trying --cluster mpi on one machine. */
export function simHostsCommand(): StrictCommand {
  const command = new StrictCommand("sim-hosts").description("Simulated hosts (network namespaces, root only) for trying --cluster mpi on one machine.");
  command.addCommand(
    withAction(new StrictCommand("up").description("create N simulated hosts and print the pipeline flags that reach them").argument("[N]", "hosts, 1..16 [default: 3]"), (c) =>
      up(intFlag(1, 16)(c.args[0] ?? "3", "N") as number),
    ),
  );
  command.addCommand(withAction(new StrictCommand("down").description("remove the simulated hosts of DIR (as `up` printed it)").argument("<DIR>", "the folder `up` printed"), (c) => down(c.args[0])));
  return command;
}

if (require.main === module) runCommand(simHostsCommand(), process.argv.slice(2));
