// Simulated hosts on one Linux machine, for tests and demonstrations of the cluster path: one
// network namespace per host, joined by veth pairs on a bridge, each with its own address and (via
// the launch agent's `unshare --uts`) its own hostname. mpirun reaches them through the agent
// instead of ssh. Needs root and iproute2; everything made here is named after `tag` and removed
// by down(), even after a failure halfway through up().
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

export interface SimHost {
  /** Network namespace and hostname inside it. */
  name: string;
  address: string;
}

export interface SimCluster {
  tag: string;
  bridge: string;
  subnet: string;
  hosts: SimHost[];
  /** Folder holding the hostfile and the launch agent. */
  dir: string;
  hostfile: string;
  agent: string;
}

function ip(args: string[], allowFail = false): string {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (!allowFail && (r.error || r.status !== 0)) throw new Error(`ip ${args.join(" ")} failed: ${(r.stderr || r.error?.message || "").trim()}`);
  return r.stdout ?? "";
}

/** Why simulated hosts cannot be made here, or null when they can. */
export function simHostsUnavailable(): string | null {
  if (process.platform !== "linux") return "simulated hosts need Linux network namespaces";
  if (process.getuid?.() !== 0) return "simulated hosts need root (network namespaces); CI runs as root";
  const probe = spawnSync("ip", ["netns", "list"], { encoding: "utf8" });
  if (probe.error) return "the ip command (iproute2) is not installed";
  if (spawnSync("unshare", ["--version"]).error) return "unshare (util-linux) is not installed";
  return null;
}

/** Create `count` hosts with `slots` slots each in the hostfile. */
export function simHostsUp(count: number, opts: { slots?: number; rateMbit?: number } = {}): SimCluster {
  const n = process.pid % 10000;
  const tag = `fs${n}`;
  const octet = 20 + (process.pid % 200);
  const subnet = `10.${octet}.77.0/24`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
  const cluster: SimCluster = { tag, bridge: `${tag}br`, subnet, hosts: [], dir, hostfile: path.join(dir, "hostfile"), agent: path.join(dir, "agent.sh") };
  try {
    ip(["link", "add", cluster.bridge, "type", "bridge"]);
    ip(["addr", "add", `10.${octet}.77.1/24`, "dev", cluster.bridge]);
    ip(["link", "set", cluster.bridge, "up"]);
    for (let i = 1; i <= count; i++) {
      const host: SimHost = { name: `${tag}h${i}`, address: `10.${octet}.77.${10 + i}` };
      const veth = `${tag}v${i}`;
      ip(["netns", "add", host.name]);
      cluster.hosts.push(host);
      ip(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", host.name]);
      ip(["link", "set", veth, "master", cluster.bridge, "up"]);
      ip(["-n", host.name, "addr", "add", `${host.address}/24`, "dev", "eth0"]);
      ip(["-n", host.name, "link", "set", "eth0", "up"]);
      ip(["-n", host.name, "link", "set", "lo", "up"]);
      // Cap the link's bandwidth (the benchmark's 1 Gbit/s); netem is not available, so no added latency.
      if (opts.rateMbit) spawnSync("tc", ["-n", host.name, "qdisc", "add", "dev", "eth0", "root", "tbf", "rate", `${opts.rateMbit}mbit`, "burst", "256kb", "latency", "50ms"]);
    }
    const slots = opts.slots ?? 1;
    fs.writeFileSync(cluster.hostfile, cluster.hosts.map((h) => `${h.address} slots=${slots}   # ${h.name}`).join("\n") + "\n");
    // mpirun calls the agent as it would call ssh: AGENT HOST COMMAND... (the command for a shell).
    const cases = cluster.hosts.map((h) => `  ${h.address}) ns=${h.name} ;;`).join("\n");
    fs.writeFileSync(
      cluster.agent,
      `#!/bin/bash\n# Launch agent for simulated hosts (lib/cluster/sim-hosts.ts): runs mpirun's daemon inside the host's namespace.\nhost="$1"; shift\ncase "$host" in\n${cases}\n  *) echo "agent: unknown simulated host $host" >&2; exit 1 ;;\nesac\nexec ip netns exec "$ns" unshare --uts bash -c "hostname $ns; $*"\n`,
      { mode: 0o755 },
    );
    return cluster;
  } catch (e) {
    simHostsDown(cluster);
    throw e;
  }
}

/** Processes running inside a simulated host (its namespace). */
export function simHostPids(host: SimHost): number[] {
  return ip(["netns", "pids", host.name], true).split("\n").filter(Boolean).map(Number);
}

/** Kill whatever still runs in the namespaces, delete them, the bridge and the folder. Never throws. */
export function simHostsDown(cluster: SimCluster): void {
  for (const h of cluster.hosts) {
    for (const pid of simHostPids(h)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    ip(["netns", "del", h.name], true);
  }
  ip(["link", "del", cluster.bridge], true);
  fs.rmSync(cluster.dir, { recursive: true, force: true });
}
