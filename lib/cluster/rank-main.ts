// What every rank of a cluster job runs (`mpirun ... node dist/lib/cluster/rank-main.js`). Rank 0 is
// the driver's proxy: it reads the shares the driver dealt from stdin (mpirun forwards the driver's
// stdin to rank 0 only) and forwards each to its rank as it arrives (lib/cluster/shares.ts). Each
// rank then trains its share on K worker threads (lib/distributed); the ranks meet through MPI
// (synchronous: a weighted allreduce inside the threads' barrier; gradients: a chain of the
// micro-batch gradient slots inside the barrier, every global batch; asynchronous / hogwild: a
// parameter store on rank 0; with pushed gradients each rank's threads step that rank's one Adam state,
// and the ranks push the weights' change to rank 0 as the delta modes do). Rank 0 alone prints the
// trained weights.
import * as os from "node:os";
import { ParamStore } from "../distributed/param-store";
import { mergeStaleness } from "../distributed/fit-result";
import { SharedAdam } from "../distributed/shared-adam";
import { adamStateSize } from "../distributed/weights";
import { toShared } from "../distributed/partition";
import type { DoneMessage, FitTask } from "../distributed/protocol";
import { GroupTask, runWorkerGroup } from "../distributed/worker-group";
import { loadMpi, MpiBinding } from "./mpi";
import { MPI_EXCHANGE_MODULE } from "./mpi-exchange";
import { ParamClient, ParamServer } from "./param-server";
import { startRankWatchdog } from "./rank-watchdog";
import { bytesJson, ClusterLine, epochWeightLines, formatLine, jsonBytes, RankAssignment, RankReport, TAG, weightLines } from "./protocol";
import { ByteReader, checkRanks, forwardStreamedShare, readShareFile, readStreamedShare, recvShare, Share, streamOrder } from "./shares";

/** Set by the driver (mpirun -x) when the ranks read their shares from a folder. */
export const SHARE_DIR_ENV = "FALL_CLUSTER_SHARE_DIR";

/** After a failure, how long the rank gets to stop its threads and abort before its watchdog ends it. */
const ABORT_GRACE_MS = 5000;

export type { Share } from "./shares";

export type Emit = (line: ClusterLine) => void;

function print(line: ClusterLine): void {
  process.stdout.write(formatLine(line));
}

/** Receive one message of unknown size from `source` with `tag`. */
function recvAny(mpi: MpiBinding, source: number, tag: number): Uint8Array {
  const s = mpi.probe(source, tag);
  const buf = new Uint8Array(s.bytes);
  mpi.recv(buf, source, tag);
  return buf;
}

/** `values` itself when every thread can already map it, else a copy that they can. */
function shareable(values: Float32Array): Float32Array {
  return values.buffer instanceof SharedArrayBuffer ? values : toShared(values);
}

/**
 * config.averageMoments: this rank's store of Adam states, as the thread trainer's (slot k: what thread
 * k brings to an exchange, slot K + k: what it holds after); the exchange averages it across ranks.
 */
function momentStore(a: RankAssignment): ParamStore | null {
  const K = a.workers.length;
  return a.job.config.averageMoments ? ParamStore.create(adamStateSize(a.job.weightCount), K, { slots: 2 * K }) : null;
}

/**
 * Train this rank's share; returns the final weights (rank 0: the job's result), this rank's report
 * and, with config.averageMoments, the Adam state averaged at the last exchange (packed; for checks).
 */
export async function trainShare(mpi: MpiBinding, rank: number, host: string, share: Share, emit: Emit = print): Promise<{ weights: Float32Array; report: RankReport; moments: Float32Array | null }> {
  const { job, roundsPerEpoch, workers, shardRows, shards } = share.assignment;
  const K = workers.length;
  const { mode } = job.config;
  const sync = mode === "synchronous";
  const gradients = mode === "gradients";
  // gradients: the store holds the micro-batch gradients; the weights live in their own shared buffer.
  const store = gradients ? ParamStore.create(job.weightCount, K, { slots: job.config.microBatches }) : ParamStore.create(job.weightCount, K, { slots: sync });
  const weightBuffer = gradients ? toShared(share.weights) : null;
  if (!gradients) store.write(share.weights);
  const moments = momentStore(share.assignment);
  const rows = gradients ? { x: shareable(share.data[0].x), y: shareable(share.data[0].y) } : null;
  // Pushed gradients: one Adam state a rank, which its threads step (ranks do not share one).
  const adamState = job.config.push === "gradients" ? SharedAdam.create(job.weightCount) : null;
  // Asynchronous / hogwild: rank 0's store is the parameter server; other ranks push and pull.
  const deltas = !sync && !gradients;
  // Epoch-end weights for the driver's hook: worker 0 snapshots them where the store holds other things (gradients) or
  // changes at every barrier (synchronous); rank 0's store is the weights themselves in the delta modes.
  const epochWeights = rank === 0 && job.epochWeights === true;
  const workerSnapshots = epochWeights && (gradients || sync);
  const pushEveryFew = deltas && rank > 0 && job.config.frequency === "batch";
  const tasks: GroupTask[] = workers.map((w, k) => {
    const d = share.data[k];
    const task: FitTask = {
      kind: "fit", workerId: k, spec: job.spec, config: job.config, store: store.handles,
      x: rows ? rows.x : d.x, y: rows ? rows.y : d.y, count: rows ? shardRows : w.count, val: d.val,
      initialEpoch: job.initialEpoch, epochs: job.epochs, shuffle: job.shuffle, snapshot: workerSnapshots && k === 0, roundsPerEpoch,
      weights: weightBuffer ? (weightBuffer.buffer as SharedArrayBuffer) : null, moments: moments ? moments.handles : null, faultInjection: null,
      seedWorker: w.globalId, ...(gradients || sync ? { globalWorkers: job.ranks * K } : {}), ...(gradients && shards ? { shards } : {}),
      crossRank: sync || gradients ? { module: MPI_EXCHANGE_MODULE } : null,
      ...(adamState ? { adamState } : {}), ...(pushEveryFew ? { progressEveryBatch: true } : {}),
    };
    const own = rows ? [] : [d.x.buffer, d.y.buffer];
    return { task, transfer: [...own, ...(d.val ? [d.val.x.buffer, d.val.y.buffer] : [])] as ArrayBuffer[] };
  });

  const sharedAdam = adamState ? new SharedAdam(adamState, job.weightCount) : null;
  const landed = () => store.version() + (sharedAdam?.steps() ?? 0);
  const server = deltas && rank === 0 ? new ParamServer(mpi, store, job.config.mode === "asynchronous", job.ranks - 1, landed) : null;
  const client = deltas && rank > 0 ? new ParamClient(mpi, store, job.config.mode === "asynchronous", share.weights) : null;
  const batchesPerPush = job.config.frequency === "batch" ? job.config.syncEvery * K : Infinity;
  let batchesSincePush = 0;
  const epochsSeen = new Map<number, number>();
  const lastBatchLine = new Map<number, number>();
  const done: DoneMessage[] = [];
  const backends = new Set<string>();
  const epochLog: RankReport["epochs"] = [];
  const snapshots = new Map<number, Float32Array>();

  // A rank cut off from its peers blocks in MPI for good: the watchdog ends it (and its daemon).
  const watchdog = startRankWatchdog({ rank, host, stallMs: job.stallTimeoutSec > 0 ? job.stallTimeoutSec * 1000 : Infinity, beat: () => emit({ type: "beat", rank }) });
  server?.start();
  try {
    await runWorkerGroup(tasks, {
      onAbort: () => {
        store.abort();
        watchdog.arm(`its threads failed and did not stop within ${ABORT_GRACE_MS / 1000} s (one is blocked in an MPI call: a peer or the network is gone)`, ABORT_GRACE_MS);
      },
      onMessage: (msg) => {
        const g = msg.type === "predictions" ? -1 : workers[msg.workerId].globalId;
        switch (msg.type) {
          case "ready":
            backends.add(msg.backend);
            break;
          case "progress": {
            // Every batch would flood mpirun's forwarding: at most 4 lines a second a worker, plus each epoch's last.
            const t = Date.now();
            if (t - (lastBatchLine.get(g) ?? 0) >= 250 || msg.batch === msg.batches - 1) {
              lastBatchLine.set(g, t);
              emit({ type: "batch", rank, worker: g, epoch: msg.epoch, batch: msg.batch, batches: msg.batches, loss: msg.loss, acc: msg.acc, samples: msg.samples });
            }
            if (client && ++batchesSincePush >= batchesPerPush) {
              batchesSincePush = 0;
              client.exchange(false);
            }
            break;
          }
          case "epoch": {
            emit({ type: "epoch", rank, worker: g, epoch: msg.epoch, loss: msg.loss, acc: msg.acc, samples: msg.samples, val: msg.val });
            epochLog.push({ worker: g, epoch: msg.epoch, loss: msg.loss, acc: msg.acc, samples: msg.samples, val: msg.val });
            const n = (epochsSeen.get(msg.epoch) ?? 0) + 1;
            epochsSeen.set(msg.epoch, n);
            if (client && n === K && job.config.frequency === "epoch") client.exchange(false);
            if (epochWeights) {
              if (msg.weights) snapshots.set(msg.epoch, msg.weights);
              if (n === K) {
                const w = snapshots.get(msg.epoch) ?? (workerSnapshots ? null : store.read());
                if (!w) throw new Error(`rank 0: worker 0 sent no weights for epoch ${msg.epoch}`);
                snapshots.delete(msg.epoch);
                for (const line of epochWeightLines(msg.epoch, w)) emit(line);
              }
            }
            break;
          }
          case "done":
            done.push(msg);
            break;
          default:
            break;
        }
      },
    }, { stallTimeoutMs: job.stallTimeoutSec * 1000, isWaiting: (id) => store.isWaiting(id) });
    if (client) client.exchange(true);
    if (server) await server.untilAllDone();
  } finally {
    server?.stop();
  }
  watchdog.stop();
  emit({ type: "trained", rank });
  done.sort((a, b) => a.workerId - b.workerId);
  const report: RankReport = {
    rank, host, pid: process.pid,
    workers: done.map((d) => ({ globalId: workers[d.workerId].globalId, samples: workers[d.workerId].count, timing: d.timing })),
    backend: [...backends].join("+"),
    kernel: [...new Set(done.map((d) => d.kernel))].join("+"),
    ...(done.some((d) => d.kernelNote) ? { kernelNote: done.find((d) => d.kernelNote)!.kernelNote } : {}),
    exchangeMs: (client?.exchangeMs ?? 0) + (server?.exchangeMs ?? 0),
    exchanges: (client?.exchanges ?? 0) + (server?.exchanges ?? 0),
    staleness: mergeStaleness(done.flatMap((d) => (d.staleness ? [d.staleness] : []))),
    ...(server ? { rankStaleness: { ...server.staleness } } : {}),
    heldRows: gradients ? shardRows : workers.reduce((a, w) => a + w.count, 0),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    epochs: epochLog,
  };
  return { weights: weightBuffer ? weightBuffer.slice() : store.read(), report, moments: moments ? moments.read() : null };
}

/** Receive one RankReport from every other rank (rank 0, after its own share). */
export function gatherReports(mpi: MpiBinding, own: RankReport): RankReport[] {
  const reports = [own];
  for (let r = 1; r < mpi.size(); r++) reports.push(bytesJson<RankReport>(recvAny(mpi, r, TAG.REPORT)));
  return reports;
}

/**
 * Ranks 1..R-1 of a job started by a scheduler (every rank runs the pipeline; rank 0 is the driver):
 * train every share rank 0 sends, until it says stop. Quiet: progress is rank 0's to report.
 */
export async function serveRanks(): Promise<void> {
  const mpi = loadMpi();
  mpi.init();
  const rank = mpi.rank();
  const host = os.hostname();
  try {
    for (;;) {
      const next = mpi.probe(0, -1);
      if (next.tag === TAG.STOP) {
        mpi.recv(new Uint8Array(next.bytes), 0, TAG.STOP);
        break;
      }
      if (next.tag !== TAG.ASSIGN) throw new Error(`unexpected message (tag ${next.tag}) from rank 0`);
      const { report } = await trainShare(mpi, rank, host, recvShare(mpi), () => undefined);
      mpi.send(jsonBytes(report), 0, TAG.REPORT);
    }
    mpi.finalize();
  } catch (err) {
    const message = ((err as Error).message ?? String(err)).split("\n")[0];
    process.stderr.write(`rank ${rank} on ${host} failed: ${message}\n`);
    abortRank(mpi, rank, host, message);
  }
}

/** MPI_Abort, which never returns on a rank cut off from mpirun: the watchdog ends it shortly after. */
function abortRank(mpi: MpiBinding, rank: number, host: string, message: string): never {
  startRankWatchdog({ rank, host, stallMs: Infinity }).arm(`${message}; MPI_Abort did not end the rank within ${ABORT_GRACE_MS / 1000} s`, ABORT_GRACE_MS);
  return mpi.abort(1);
}

export async function rankMain(): Promise<void> {
  const mpi = loadMpi();
  mpi.init();
  const rank = mpi.rank();
  const size = mpi.size();
  const host = os.hostname();
  try {
    let share: Share;
    // The share folder (every rank reads its own) travels in the job, which only rank 0 reads.
    const shareDir = process.env[SHARE_DIR_ENV];
    if (shareDir) {
      share = readShareFile(shareDir, rank);
      checkRanks(share.assignment, size);
    } else if (rank === 0) {
      // The driver streams every share on stdin: forward each as it arrives, so rank 0 holds its own and one array.
      const reader = new ByteReader(process.stdin, "the driver's share stream on stdin");
      const scratch = { buffer: new ArrayBuffer(0) };
      let own: Share | null = null;
      for (const r of streamOrder(size)) {
        if (r > 0) await forwardStreamedShare(reader, mpi, r, `rank ${r}'s share`, scratch);
        else checkRanks((own = await readStreamedShare(reader, "rank 0's share")).assignment, size);
      }
      share = own!;
    } else {
      share = recvShare(mpi);
    }
    print({ type: "hello", rank, size, host, pid: process.pid, workers: share.assignment.workers.length });
    const { weights, report } = await trainShare(mpi, rank, host, share);
    if (rank === 0) {
      const reports = gatherReports(mpi, report);
      for (const line of weightLines(weights)) print(line);
      print({ type: "result", weightCount: weights.length, reports });
    } else {
      mpi.send(jsonBytes(report), 0, TAG.REPORT);
    }
    await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
    mpi.finalize();
    process.exit(0);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    print({ type: "failed", rank, host, message: message.split("\n")[0] });
    await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
    // Ends every rank of the job: mpirun then exits non-zero and the driver names this rank.
    abortRank(mpi, rank, host, message.split("\n")[0]);
  }
}

if (require.main === module) void rankMain();
