// How much CPU a measurement actually got: this process's CPU time (all its threads, workers
// included) and, on Linux, the whole machine's busy and stolen time from /proc/stat. On a shared
// 2-core box this separates "the trainer scales badly" from "the cores were busy elsewhere". The main
// thread's own CPU is read apart (Linux): it coordinates every worker, so a worker's cores are the rest.
import * as fs from "node:fs";
import * as os from "node:os";

interface MachineTicks {
  busy: number;
  steal: number;
  total: number;
}

/** Aggregate CPU ticks from /proc/stat, or null where it does not exist. */
export function readMachineTicks(text?: string): MachineTicks | null {
  let s = text;
  if (s === undefined) {
    try {
      s = fs.readFileSync("/proc/stat", "utf8");
    } catch {
      return null;
    }
  }
  const line = s.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { busy: user + nice + system + irq + softirq, steal, total };
}

/** Nanoseconds thread `tid` of this process has run (Linux's schedstat), or null where it cannot be read. */
export function threadCpuNs(tid: number): number | null {
  try {
    const ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    return Number.isFinite(ns) ? ns : null;
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  t: number;
  own: NodeJS.CpuUsage;
  machine: MachineTicks | null;
  /** The main thread's CPU so far, ns (null off Linux; absent in snapshots made by hand). */
  mainNs?: number | null;
}

export interface CpuShare {
  wallSec: number;
  /** CPU seconds of this process per wall second (≈ cores it kept busy). */
  ownCores: number;
  /** Busy cores of the whole machine, this process included (null off Linux). */
  machineCores: number | null;
  /** machineCores − ownCores: cores other processes used meanwhile. */
  otherCores: number | null;
  /** Cores stolen by the hypervisor. */
  stealCores: number | null;
  /** CPU seconds of the main thread per wall second: the coordinator's share of ownCores (null off Linux). */
  mainCores: number | null;
}

export function cpuSnapshot(): CpuSnapshot {
  // The main thread's task id is the process id.
  return { t: performance.now(), own: process.cpuUsage(), machine: readMachineTicks(), mainNs: threadCpuNs(process.pid) };
}

export function cpuShare(a: CpuSnapshot, b: CpuSnapshot = cpuSnapshot(), cpus = os.cpus().length): CpuShare {
  const wallSec = (b.t - a.t) / 1000;
  const ownSec = (b.own.user - a.own.user + b.own.system - a.own.system) / 1e6;
  const ownCores = wallSec > 0 ? ownSec / wallSec : NaN;
  let machineCores: number | null = null;
  let stealCores: number | null = null;
  if (a.machine && b.machine && b.machine.total > a.machine.total) {
    const dt = b.machine.total - a.machine.total;
    machineCores = ((b.machine.busy - a.machine.busy) / dt) * cpus;
    stealCores = ((b.machine.steal - a.machine.steal) / dt) * cpus;
  }
  const mainCores = a.mainNs != null && b.mainNs != null && wallSec > 0 ? (b.mainNs - a.mainNs) / 1e9 / wallSec : null;
  return { wallSec, ownCores, machineCores, otherCores: machineCores === null ? null : Math.max(0, machineCores - ownCores), stealCores, mainCores };
}
