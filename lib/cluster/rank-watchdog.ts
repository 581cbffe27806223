// Keeps a rank from outliving its job. The main thread pings a watchdog thread every second (and,
// when asked, prints a `beat` line so the driver can tell which rank went silent); when the pings stop
// for the stall timeout, or a failure was armed and the rank has not exited by its deadline (a worker
// blocked in MPI cannot be terminated), the watchdog thread ends the rank (rank-watchdog-thread.ts).
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { WatchdogData, WatchdogMessage } from "./rank-watchdog-thread";

const THREAD = path.join(__dirname, "rank-watchdog-thread.js");
const PING_MS = 1000;

export interface RankWatchdog {
  /** A failure is being handled: end the rank if it still runs `ms` from now. */
  arm(message: string, ms: number): void;
  stop(): void;
}

export function startRankWatchdog(o: { rank: number; host: string; stallMs: number; beat?: () => void }): RankWatchdog {
  const data: WatchdogData = { pid: process.pid, ppid: process.ppid, rank: o.rank, host: o.host, stallMs: o.stallMs };
  const thread = new Worker(THREAD, { workerData: data });
  thread.unref();
  const post = (m: WatchdogMessage) => thread.postMessage(m);
  const timer = setInterval(() => {
    post({ type: "ping" });
    o.beat?.();
  }, PING_MS);
  timer.unref();
  return {
    arm: (message, ms) => post({ type: "arm", message, ms }),
    stop: () => {
      clearInterval(timer);
      void thread.terminate();
    },
  };
}
