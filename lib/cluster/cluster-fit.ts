// The driver side of a cluster run: a DistributedModel's fit on an MPI job of R ranks × K threads.
// It checks the cluster settings, starts mpirun itself (rank-main.js on every rank), feeds rank 0
// each rank's share through mpirun's stdin (one share built at a time), streams the ranks' progress to onProgress, and sets the
// trained weights back into the model. A failed or killed rank fails the fit with one line naming
// the rank and its host; mpirun then ends every other rank.
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { spawn } from "node:child_process";
import type { DistributedModel, FitData } from "../distributed/distributed-model";
import type { EpochEndCallback, ProgressEventCallback } from "../distributed/config";
import { metricsFromSums, valFields } from "../distributed/metrics";
import { findMpirun, loadMpi } from "./mpi";
import { ClusterOptions, mpirunArgs, ResolvedCluster, resolveCluster } from "./launcher";
import { addEpochWeights, ClusterJob, ClusterLine, parseLine, RankReport, WeightAssembly } from "./protocol";
import { ClusterFitOptions, ClusterFitResult, EpochLine, JobOutput, makeJob, mergeEpoch, summarise } from "./job";

export type { ClusterFitOptions, ClusterFitResult, ClusterLayout, JobOutput } from "./job";
export { clusterMicroBatches, makeJob, mergeEpoch, summarise } from "./job";
import { fitInJob, jobRank } from "./in-job";
import { TaggedLineJoiner } from "./tagged-output";
import { SHARE_DIR_ENV } from "./rank-main";
import { planShares, shareStream, SharePlan, writeShareFiles } from "./shares";

export const RANK_ENTRY = path.join(__dirname, "rank-main.js");
/** After a stall, how long mpirun gets to end the job before it is killed. */
const KILL_GRACE_MS = 5000;
/** A training rank whose beats (one a second) stopped this long while another rank's went on is lost. */
const BEAT_LOSS_MS = 5000;
/** After a lost rank, how long mpirun gets (it may wait for the daemon it cannot reach). */
const LOST_KILL_GRACE_MS = 2000;
/** After mpirun exits, how long its last output lines get to arrive. */
const CLOSE_GRACE_MS = 2000;

/** The host mpirun says it lost (its own words after a network loss), if any. */
function lostHost(tail: string[]): string | null {
  const m = /(?:lost communication|lost contact|unable to reach|Remote daemon)[^\n]*?on node (\S+)/i.exec(tail.join("\n"));
  return m ? m[1] : null;
}

export class ClusterRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClusterRunError";
  }
}

/** Train `model` on the cluster; its weights are the trained ones afterwards. */
export async function fitOnCluster(model: DistributedModel, data: FitData, options: ClusterFitOptions, cluster: ClusterOptions): Promise<ClusterFitResult> {
  // Everything that can be wrong is found before mpirun starts.
  const c = resolveCluster(cluster);
  // Started by a scheduler (mpirun/srun runs this program on every rank): this process is rank 0.
  if (jobRank() !== null) return fitInJob(model, data, options, c);
  loadMpi();
  const mpirun = findMpirun();
  await model.ready();
  const job = makeJob(model, data, options, c);
  const { epochs, initialEpoch } = job;
  const hooks = { onProgress: options.onProgress, onEpochEnd: options.onEpochEnd };
  const t0 = performance.now();
  let run: JobOutput;
  if (c.sharedDir) {
    // Each rank reads its own share from the folder: no rank receives the whole data set.
    const dir = fs.mkdtempSync(path.join(c.sharedDir, "fall-job-"));
    try {
      writeShareFiles(dir, planShares(job, data.x, data.y, model.getFlatWeights()));
      run = await runJob(c, job, null, hooks, { [SHARE_DIR_ENV]: dir });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } else {
    run = await runJob(c, job, planShares(job, data.x, data.y, model.getFlatWeights()), hooks);
  }
  const wallSec = (performance.now() - t0) / 1000;
  model.setFlatWeights(run.weights);
  return summarise(run, c, mpirun.version, wallSec, epochs - initialEpoch, job.config);
}

/** What the driver calls while the job runs: progress lines as they come, and each epoch's end (weights from rank 0). */
interface JobHooks {
  onProgress?: ProgressEventCallback;
  onEpochEnd?: EpochEndCallback;
}

function runJob(c: ResolvedCluster, job: ClusterJob, plan: SharePlan | null, hooks: JobHooks, env: Record<string, string> = {}): Promise<JobOutput> {
  const W = c.ranks * c.workersPerRank;
  const firstEpoch = job.initialEpoch;
  const { onProgress, onEpochEnd } = hooks;
  // -x: mpirun sets these in every rank's environment, on every host. --tag-output: see tagged-output.ts.
  const exported = Object.entries(env).flatMap(([k, v]) => ["-x", `${k}=${v}`]);
  const args = mpirunArgs({ ...c, mpirunArgs: ["--tag-output", ...c.mpirunArgs, ...exported] }, [process.execPath, RANK_ENTRY]);
  return new Promise((resolve, reject) => {
    const child = spawn("mpirun", args, { stdio: ["pipe", "pipe", "pipe"] });
    // If this process exits first (Ctrl-C, process.exit), mpirun must not outlive it: it ends the ranks.
    const killOnExit = () => child.kill("SIGTERM");
    process.on("exit", killOnExit);
    const hellos = new Map<number, { host: string; pid: number; workers: number }>();
    const epochs = new Map<number, Map<number, EpochLine>>();
    const final = new WeightAssembly(job.weightCount);
    // Epoch-end hooks: each epoch's weights (from rank 0) and merged figures (from every worker), called in order.
    const epochWeights = new Map<number, WeightAssembly>();
    const mergedOf = new Map<number, ReturnType<typeof mergeEpoch>>();
    let hookChain: Promise<void> = Promise.resolve();
    let hooksCalled = 0;
    // A failing hook (a checkpoint that cannot be written) fails the fit when the job ends; later hooks do not run.
    let hookError: unknown = null;
    const callHook = (epoch: number) => {
      const w = epochWeights.get(epoch);
      const m = mergedOf.get(epoch);
      if (!onEpochEnd || !w?.complete || !m) return;
      epochWeights.delete(epoch);
      mergedOf.delete(epoch);
      hooksCalled++;
      hookChain = hookChain
        .then(() => (hookError === null ? onEpochEnd({ epoch, weights: w.weights, loss: m.loss, acc: m.acc, samples: m.samples, ...valFields(m.val) }) : undefined))
        .catch((e: unknown) => void (hookError ??= e));
    };
    let result: { reports: RankReport[] } | null = null;
    let failed: { rank: number; host: string; message: string } | null = null;
    let stalled: string | null = null;
    const tail: string[] = [];
    let lastHeard = Date.now();
    // Per rank while it trains: when its last beat arrived (removed when it says it is done).
    const beats = new Map<number, number>();
    const emit = (e: Parameters<ProgressEventCallback>[0]) => onProgress?.(e);

    const onText = (text: string) => {
      const line = parseLine(text);
      if (!line) {
        if (text.trim()) tail.push(text.trim());
        if (tail.length > 40) tail.shift();
        return;
      }
      // Beats say a rank's main thread runs, not that it trains: the stall timeout counts progress.
      if (line.type !== "beat") lastHeard = Date.now();
      handle(line);
    };
    const joiner = new TaggedLineJoiner((text) => onText(text));
    const onLine = (raw: string) => joiner.push(raw.replace(/\r$/, ""));
    const handle = (line: ClusterLine) => {
      switch (line.type) {
        case "hello":
          hellos.set(line.rank, { host: line.host, pid: line.pid, workers: line.workers });
          beats.set(line.rank, Date.now());
          break;
        case "beat":
          if (beats.has(line.rank)) beats.set(line.rank, Date.now());
          break;
        case "trained":
          beats.delete(line.rank);
          break;
        case "batch":
          emit({ type: "batch", worker: line.worker, epoch: line.epoch, batch: line.batch, batches: line.batches, loss: line.loss, acc: line.acc, samples: line.samples });
          break;
        case "epoch": {
          const v = line.val ? metricsFromSums(line.val) : null;
          emit({ type: "epoch", worker: line.worker, epoch: line.epoch, loss: line.loss, acc: line.acc, samples: line.samples, ...(v ? { valLoss: v.loss, valAcc: v.accuracy } : {}) });
          const byWorker = epochs.get(line.epoch) ?? new Map<number, EpochLine>();
          epochs.set(line.epoch, byWorker);
          byWorker.set(line.worker, line);
          if (byWorker.size === W && line.epoch >= firstEpoch) {
            const m = mergeEpoch([...byWorker.values()]);
            emit({ type: "merged", epoch: line.epoch, loss: m.loss, acc: m.acc, samples: m.samples, ...valFields(m.val) });
            if (onEpochEnd) {
              mergedOf.set(line.epoch, m);
              callHook(line.epoch);
            }
          }
          break;
        }
        case "weights":
          final.add(line);
          break;
        case "epochWeights":
          if (addEpochWeights(epochWeights, line, job.weightCount).complete) callHook(line.epoch);
          break;
        case "result":
          result = { reports: line.reports };
          break;
        case "failed":
          failed ??= { rank: line.rank, host: line.host, message: line.message };
          break;
      }
    };
    readline.createInterface({ input: child.stdout }).on("line", onLine);
    readline.createInterface({ input: child.stderr }).on("line", onLine);

    const stallMs = job.stallTimeoutSec * 1000;
    let escalate: NodeJS.Timeout | undefined;
    const end = (why: string, graceMs: number) => {
      stalled = why;
      child.kill("SIGTERM");
      // mpirun may wait for a daemon it cannot reach any more: then it is killed outright.
      escalate = setTimeout(() => child.kill("SIGKILL"), graceMs);
    };
    const watchdog = setInterval(() => {
      if (stalled !== null) return;
      const now = Date.now();
      const lost = lostRank(beats, now);
      if (lost !== null) {
        const host = hellos.get(lost)?.host ?? "an unknown host";
        end(`rank ${lost} on ${host} stopped reporting ${Math.round((now - beats.get(lost)!) / 1000)} s ago while the other ranks went on (its host or network link is gone): ended the MPI job`, LOST_KILL_GRACE_MS);
      } else if (stallMs > 0 && now - lastHeard > stallMs) {
        end(`no rank reported anything for ${job.stallTimeoutSec} s (stall timeout; a rank hung or lost its network): ended the MPI job`, KILL_GRACE_MS);
      }
    }, 500);
    watchdog.unref();

    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      process.removeListener("exit", killOnExit);
      clearInterval(watchdog);
      if (escalate) clearTimeout(escalate);
      if (code === 0 && result && final.complete && !failed) {
        const expected = onEpochEnd ? job.epochs - firstEpoch : 0;
        if (hooksCalled !== expected) {
          reject(new ClusterRunError(`the job ended with ${hooksCalled} of ${expected} epochs' weights from rank 0 (their epoch-end hook could not run)`));
          return;
        }
        const reports = result.reports;
        void hookChain.then(() => (hookError === null ? resolve({ weights: final.weights, reports, epochs, hellos }) : reject(hookError)));
        return;
      }
      const lost = stalled ? lostHost(tail) : null;
      if (lost) stalled += `; mpirun lost contact with ${lost}`;
      reject(new ClusterRunError(describeFailure({ code, signal, failed, stalled, tail, hellos, c })));
    };
    child.on("error", (e) => {
      settled = true;
      process.removeListener("exit", killOnExit);
      clearInterval(watchdog);
      if (escalate) clearTimeout(escalate);
      reject(new ClusterRunError(`mpirun could not start: ${e.message}`));
    });
    // 'close' waits for mpirun's output to end, which a daemon left on an unreachable host may hold
    // open: after mpirun's exit, its remaining lines get a moment, then the result stands.
    child.on("close", (code, signal) => finish(code, signal));
    child.on("exit", (code, signal) => setTimeout(() => finish(code, signal), CLOSE_GRACE_MS).unref());
    child.stdin.on("error", () => undefined); // mpirun may die before reading everything; its exit says why
    void writeStream(child.stdin, plan);
  });
}

/** The shares on mpirun's stdin, one built at a time, waiting for the pipe to drain (rank 0 forwards as it reads). */
async function writeStream(stdin: NodeJS.WritableStream & { destroyed: boolean }, plan: SharePlan | null): Promise<void> {
  if (plan) {
    for (const chunks of shareStream(plan)) {
      for (const b of chunks) {
        if (stdin.destroyed) return;
        if (!stdin.write(b)) await new Promise<void>((resolve) => {
          const done = () => {
            stdin.removeListener("drain", done);
            stdin.removeListener("close", done);
            resolve();
          };
          stdin.once("drain", done);
          stdin.once("close", done);
        });
      }
    }
  }
  if (!stdin.destroyed) stdin.end();
}

/** The rank whose beats stopped BEAT_LOSS_MS ago while another rank beat within the last 2 s, if any. */
export function lostRank(beats: ReadonlyMap<number, number>, now: number): number | null {
  const live = [...beats.values()].some((t) => now - t < 2000);
  if (!live) return null;
  for (const [rank, t] of beats) if (now - t > BEAT_LOSS_MS) return rank;
  return null;
}

/** One line: which rank on which host, and what happened to it. */
export function describeFailure(f: {
  code: number | null;
  signal: NodeJS.Signals | null;
  failed: { rank: number; host: string; message: string } | null;
  stalled: string | null;
  tail: string[];
  hellos: Map<number, { host: string }>;
  c: ResolvedCluster;
}): string {
  const hostOf = (rank: number, node?: string) => {
    const h = f.hellos.get(rank)?.host;
    return h && node && h !== node ? `${h} (${node})` : (h ?? node ?? "an unknown host");
  };
  if (f.failed) return `cluster run failed: rank ${f.failed.rank} on ${f.failed.host} failed: ${f.failed.message}`;
  if (f.stalled) return `cluster run failed: ${f.stalled}`;
  const text = f.tail.join("\n");
  // Open MPI: "mpirun noticed that process rank 1 with PID 123 on node 10.0.0.2 exited on signal 9 (Killed)."
  const sig = /process rank (\d+) with PID (\d+) on node (\S+) exited on signal (\d+)(?: \(([^)]+)\))?/.exec(text);
  if (sig) return `cluster run failed: rank ${sig[1]} on ${hostOf(Number(sig[1]), sig[3])} was killed by signal ${sig[4]}${sig[5] ? ` (${sig[5]})` : ""}`;
  const exit = /Process name: \[\[\d+,\d+\],(\d+)\]\s*\n\s*Exit code:\s*(\d+)/.exec(text);
  if (exit) return `cluster run failed: rank ${exit[1]} on ${hostOf(Number(exit[1]))} exited with code ${exit[2]}`;
  const lost = /(?:lost contact|connection to lifeline|ORTE has lost communication)[^\n]*/i.exec(text);
  if (lost) return `cluster run failed: ${lost[0].trim()}`;
  const last = f.tail.filter((l) => !/^-+$/.test(l)).slice(-1)[0];
  return `cluster run failed: mpirun exited with ${f.signal ? `signal ${f.signal}` : `code ${f.code}`}${last ? `: ${last}` : " without the trained weights"}`;
}

