// `node dist/lib/cli/sim-hosts.js up N` creates N simulated hosts (network namespaces, root only)
// and prints the pipeline flags that reach them; `... down DIR` removes them again (DIR as printed).
import * as fs from "node:fs";
import * as path from "node:path";
import { SimCluster, simHostsDown, simHostsUnavailable, simHostsUp } from "../cluster/sim-hosts";

function main(argv: string[]): number {
  const [cmd, arg] = argv;
  if (cmd === "up") {
    const n = Number(arg ?? "3");
    if (!Number.isInteger(n) || n < 1 || n > 16) throw new Error(`up N: N must be an integer in 1..16; got ${arg}`);
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
  if (cmd === "down" && arg) {
    const sim = JSON.parse(fs.readFileSync(path.join(arg, "cluster.json"), "utf8")) as SimCluster;
    simHostsDown(sim);
    console.log(`removed ${sim.hosts.length} simulated host(s) and ${sim.dir}`);
    return 0;
  }
  console.error("usage: sim-hosts.js up N | down DIR");
  return 2;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`sim-hosts: ${(e as Error).message}`);
  process.exitCode = 1;
}
