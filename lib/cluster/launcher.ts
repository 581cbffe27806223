// Checks the cluster settings (hostfile, ranks, slots) before anything starts, and builds the
// mpirun command line. Every problem is one line naming the file and line where there is one.
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawnSync } from "node:child_process";

/** How to run a fit on an MPI job (DistributedModel's threads become the threads of each rank). */
export interface ClusterOptions {
  kind: "mpi";
  /** MPI ranks (processes), at least 1. */
  ranks: number;
  /** Worker threads in each rank (default 1). */
  workersPerRank?: number;
  /** Open MPI hostfile ("host slots=N" a line); absent: every rank on this machine. */
  hostfile?: string;
  /** Allow more ranks than slots (default: only without a hostfile). */
  oversubscribe?: boolean;
  /** Program mpirun starts its daemons through on other hosts instead of ssh (--mca plm_rsh_agent). */
  launchAgent?: string;
  /** Subnet (CIDR) for MPI's TCP traffic and control channel, e.g. "10.77.0.0/24". */
  network?: string;
  /** More mpirun arguments, passed as they are. */
  mpirunArgs?: string[];
  /**
   * A folder every host sees at this path (NFS and the like): the driver writes each rank's
   * partition there and the ranks read their own, instead of rank 0 receiving all data and sending it.
   */
  sharedDir?: string;
}

export interface HostEntry {
  host: string;
  slots: number;
  line: number;
}

export interface ResolvedCluster {
  ranks: number;
  workersPerRank: number;
  hostfile: string | null;
  hosts: HostEntry[];
  oversubscribe: boolean;
  launchAgent: string | null;
  network: string | null;
  mpirunArgs: string[];
  sharedDir: string | null;
}

const HOSTFILE_KEYS = new Set(["slots", "max_slots", "max-slots"]);

/** Open MPI hostfile: "host [slots=N] [max_slots=N]" a line, '#' comments. A host without slots has 1. */
export function parseHostfile(file: string): HostEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${file}: hostfile ${code === "ENOENT" ? "not found" : `unreadable (${code ?? (e as Error).message})`}`);
  }
  const hosts: HostEntry[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) return;
    const [host, ...fields] = line.split(/\s+/);
    let slots = 1;
    for (const f of fields) {
      const m = /^([a-z_-]+)=(\S+)$/.exec(f);
      if (!m || !HOSTFILE_KEYS.has(m[1])) throw new Error(`${file}:${i + 1}: unexpected "${f}" (expected slots=N or max_slots=N)`);
      if (!/^[1-9]\d*$/.test(m[2])) throw new Error(`${file}:${i + 1}: ${m[1]} must be a positive integer; got "${m[2]}"`);
      if (m[1] === "slots") slots = Number(m[2]);
    }
    if (hosts.some((h) => h.host === host)) throw new Error(`${file}:${i + 1}: host ${host} is listed twice`);
    hosts.push({ host, slots, line: i + 1 });
  });
  if (hosts.length === 0) throw new Error(`${file}: hostfile lists no host`);
  return hosts;
}

/** Whether the name resolves here (an IP address always does). */
function resolves(host: string): boolean {
  if (net.isIP(host)) return true;
  const r = spawnSync("getent", ["hosts", host], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim().length > 0;
}

function isWritableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Validate before anything starts; throws one line. */
export function resolveCluster(o: ClusterOptions): ResolvedCluster {
  if (o.kind !== "mpi") throw new TypeError(`cluster.kind must be "mpi"; got ${JSON.stringify(o.kind)}`);
  if (!Number.isInteger(o.ranks) || o.ranks < 1) throw new RangeError(`cluster ranks must be an integer >= 1; got ${o.ranks}`);
  const workersPerRank = o.workersPerRank ?? 1;
  if (!Number.isInteger(workersPerRank) || workersPerRank < 1) throw new RangeError(`cluster workers per rank must be an integer >= 1; got ${workersPerRank}`);
  const hostfile = o.hostfile ?? null;
  const hosts = hostfile ? parseHostfile(hostfile) : [{ host: "localhost", slots: o.ranks, line: 0 }];
  if (hostfile) {
    for (const h of hosts) if (!resolves(h.host)) throw new Error(`${hostfile}:${h.line}: unknown host ${h.host} (it does not resolve here)`);
  }
  const oversubscribe = o.oversubscribe ?? !hostfile;
  const slots = hosts.reduce((a, h) => a + h.slots, 0);
  if (o.ranks > slots && !oversubscribe) {
    throw new RangeError(`${o.ranks} ranks need more than the ${slots} slot${slots === 1 ? "" : "s"} of ${hostfile} (${hosts.map((h) => `${h.host}: ${h.slots}`).join(", ")}); add slots or allow oversubscription`);
  }
  if (o.launchAgent !== undefined && !fs.existsSync(o.launchAgent)) throw new Error(`${o.launchAgent}: launch agent not found`);
  if (o.network !== undefined && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(o.network)) throw new TypeError(`cluster network must be a CIDR such as 10.0.0.0/24; got "${o.network}"`);
  const sharedDir = o.sharedDir === undefined ? null : path.resolve(o.sharedDir);
  if (sharedDir !== null && !isWritableDir(sharedDir)) throw new Error(`${sharedDir}: shared folder not found or not writable`);
  return { ranks: o.ranks, workersPerRank, hostfile, hosts, oversubscribe, launchAgent: o.launchAgent ?? null, network: o.network ?? null, mpirunArgs: o.mpirunArgs ?? [], sharedDir };
}

/** Arguments every mpirun of ours gets: root is allowed (CI runs as root), no binding to cores. */
function commonArgs(oversubscribe: boolean): string[] {
  // A waiting rank yields the CPU instead of spinning: its own worker threads (and, on shared cores,
  // other ranks and the kernel's network stack) need it; spinning made 3 simulated hosts' chains 50 ms.
  const args = ["--bind-to", "none", "--mca", "mpi_yield_when_idle", "1"];
  if (process.getuid?.() === 0) args.push("--allow-run-as-root");
  if (oversubscribe) args.push("--oversubscribe");
  return args;
}

/** `mpirun` arguments for `np` ranks on this machine (the single-host tests). */
export function localMpirunArgs(np: number): string[] {
  return ["-np", String(np), ...commonArgs(true)];
}

/** The full mpirun argument list for a resolved cluster running `program` (e.g. node rank-main.js). */
export function mpirunArgs(c: ResolvedCluster, program: string[]): string[] {
  const args = ["-np", String(c.ranks), ...commonArgs(c.oversubscribe)];
  if (c.hostfile) args.push("--hostfile", c.hostfile);
  if (c.launchAgent) args.push("--mca", "plm_rsh_agent", c.launchAgent);
  if (c.network) args.push("--mca", "btl_tcp_if_include", c.network, "--mca", "oob_tcp_if_include", c.network);
  return [...args, ...c.mpirunArgs, ...program];
}
