// The rank watchdog's own thread (lib/cluster/rank-watchdog.ts). It runs when the rank's main thread
// cannot — blocked in an MPI call whose peer is gone — and then ends the rank: one `failed` line
// written straight to fd 1, the rank's Open MPI daemon killed when it is one (a daemon cut off from
// mpirun stays until TCP gives up, ~15 minutes), and the process killed.
import * as fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { formatLine } from "./protocol";

export interface WatchdogData {
  pid: number;
  ppid: number;
  rank: number;
  host: string;
  /** The main thread's pings may stop this long before the rank is ended. */
  stallMs: number;
}

export type WatchdogMessage = { type: "ping" } | { type: "arm"; message: string; ms: number };

const data = workerData as WatchdogData;
let lastPing = Date.now();
let deadline: { at: number; message: string } | null = null;

function parentIsDaemon(): boolean {
  try {
    return fs.readFileSync(`/proc/${data.ppid}/comm`, "utf8").trim() === "orted";
  } catch {
    return false;
  }
}

function end(message: string): void {
  try {
    fs.writeSync(1, formatLine({ type: "failed", rank: data.rank, host: data.host, message }));
  } catch {
    // stdout gone with the daemon: the kill still matters
  }
  if (parentIsDaemon()) {
    try {
      process.kill(data.ppid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  process.kill(data.pid, "SIGKILL");
}

parentPort!.on("message", (m: WatchdogMessage) => {
  if (m.type === "ping") lastPing = Date.now();
  else deadline ??= { at: Date.now() + m.ms, message: m.message };
});

setInterval(() => {
  const now = Date.now();
  if (deadline && now >= deadline.at) end(deadline.message);
  else if (now - lastPing > data.stallMs) end(`its main thread did not run for ${Math.round(data.stallMs / 1000)} s (blocked in an MPI call: a peer or the network is gone)`);
}, 250);
