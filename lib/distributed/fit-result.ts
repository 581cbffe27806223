// The last step of DistributedModel.fit: the workers' reports merged into one FitResult — the
// loss curve weighted by rows, timing sums, throughput, kernel and staleness.
import { averagingRule, ResolvedConfig } from "./config";
import { mergeMetricSums, metricsFromSums } from "./metrics";
import type { DoneMessage, EpochMessage, Staleness, WorkerHistory, WorkerTiming } from "./protocol";

/** The timing counters every worker reports, in milliseconds (the optional counts left out). */
export type TimedPart = Exclude<keyof WorkerTiming, "microBatches" | "majorGcs">;

/** One timing counter summed over workers, in seconds. */
export function sumTimingSec(workers: readonly { timing: WorkerTiming }[], k: TimedPart): number {
  return workers.reduce((a, w) => a + w.timing[k], 0) / 1000;
}

/** Windows to train on; a WindowSet satisfies it. x is count × T × F (count × T token ids for 'original', F = 1). */
export interface FitData {
  x: Float32Array;
  y: Float32Array;
  count: number;
  T: number;
  F: number;
}

export interface FitResult {
  /**
   * Per epoch trained (initialEpoch..epochs-1), over all workers weighted by windows trained; val* on
   * the shared weights after each epoch.
   */
  merged: { loss: number[]; acc: number[]; valLoss?: number[]; valAcc?: number[] };
  workers: { id: number; samples: number; history: WorkerHistory; timing: WorkerTiming }[];
  wallSec: number;
  /** Backend the workers trained on (e.g. "wasm"). */
  backend: string;
  /** Code that computed the training steps: "fused-native" (lib/native) or "tfjs-layers". */
  trainingKernel: string;
  /** Why tfjs-layers computed them, when it did (e.g. the kernel was not built). */
  trainingKernelNote?: string;
  /** What the workers exchanged and how (averagingRule of the config). */
  averaging: string;
  /** Asynchronous and hogwild: staleness of every push, all workers together; null in the averaging modes. */
  staleness: Staleness | null;
  /** Training windows processed per second of training time, all workers together. */
  windowsPerSec: number;
  /** The same after the first epoch (warm-up excluded); NaN with a single epoch. */
  steadyWindowsPerSec: number;
  timing: FitTiming;
}

export interface FitTiming {
  /** Worker spawn until every worker reported ready (tfjs load + model build). */
  startupSec: number;
  /** First worker leaving the start barrier until the last one finished. */
  trainSec: number;
  /** Sums over workers, seconds. */
  computeSec: number;
  paramStoreSec: number;
  averagingSec: number;
  barrierWaitSec: number;
  lockWaitSec: number;
  validationSec: number;
  /** (paramStore + averaging + barrier + lock) / total worker training time. */
  overheadFraction: number;
  /** The same after the first epoch (warm-up and start barrier excluded, as steadyWindowsPerSec); NaN with a single epoch. */
  steadyOverheadFraction: number;
}

/** Store, averaging and waits in ms: what overheadFraction counts. */
function overheadMs(t: WorkerTiming): number {
  return t.paramStoreMs + t.averagingMs + t.barrierWaitMs + t.lockWaitMs;
}

/** overheadFraction over the epochs after each worker's first; NaN when a worker trained a single epoch. */
export function steadyOverheadFraction(done: readonly { timing: WorkerTiming; history: Pick<WorkerHistory, "timingAfterFirstEpoch" | "loss"> }[]): number {
  if (done.length === 0 || done.some((d) => !d.history.timingAfterFirstEpoch || d.history.loss.length < 2)) return NaN;
  let overhead = 0;
  let train = 0;
  for (const d of done) {
    const first = d.history.timingAfterFirstEpoch!;
    overhead += overheadMs(d.timing) - overheadMs(first);
    train += d.timing.trainMs - first.trainMs;
  }
  return train > 0 ? overhead / train : NaN;
}

/** One epoch over all workers: loss and accuracy weighted by rows trained, validation pooled. */
export function mergeEpochMessages(list: EpochMessage[]) {
  const trained = list.filter((m) => m.samples > 0);
  const n = trained.reduce((a, m) => a + m.samples, 0);
  const val = list.some((m) => m.val) ? metricsFromSums(mergeMetricSums(list.flatMap((m) => (m.val ? [m.val] : [])))) : null;
  return {
    loss: trained.reduce((a, m) => a + m.loss * m.samples, 0) / n,
    acc: trained.reduce((a, m) => a + m.acc * m.samples, 0) / n,
    samples: n,
    val,
  };
}

/** One more push `stale` updates old into the running mean and max (not its drop). */
export function addStaleness(staleness: Staleness, stale: number): void {
  staleness.mean += (stale - staleness.mean) / ++staleness.pushes;
  staleness.max = Math.max(staleness.max, stale);
}

/** Several workers' (or fits') pushes as one: mean weighted by pushes, the largest max. */
export function mergeStaleness(list: Staleness[]): Staleness | null {
  if (list.length === 0) return null;
  const pushes = list.reduce((a, s) => a + s.pushes, 0);
  return {
    pushes,
    mean: pushes ? list.reduce((a, s) => a + s.mean * s.pushes, 0) / pushes : 0,
    max: Math.max(...list.map((s) => s.max)),
    dropped: list.reduce((a, s) => a + s.dropped, 0),
  };
}

/** What the workers reported during a fit (lib/distributed/fit-tracker.ts collects it). */
export interface FitReports {
  epochs: EpochMessage[][];
  done: DoneMessage[];
  backends: Set<string>;
  readyAt: number;
}

export function fitResult(t: FitReports, o: { config: ResolvedConfig; rowsOf: (w: number) => number; withValidation: boolean; wallSec: number; t0: number }): FitResult {
  const merged: FitResult["merged"] = { loss: [], acc: [] };
  if (o.withValidation) Object.assign(merged, { valLoss: [], valAcc: [] });
  for (const list of t.epochs) {
    const m = mergeEpochMessages(list);
    merged.loss.push(m.loss);
    merged.acc.push(m.acc);
    if (m.val) {
      merged.valLoss!.push(m.val.loss);
      merged.valAcc!.push(m.val.accuracy);
    }
  }
  const done = [...t.done].sort((a, b) => a.workerId - b.workerId);
  const sum = (k: TimedPart) => sumTimingSec(done, k);
  const trainSec = (Math.max(...done.map((d) => d.trainEnd)) - Math.min(...done.map((d) => d.trainStart))) / 1000;
  const workerTrainSec = sum("trainMs");
  const overhead = sum("paramStoreMs") + sum("averagingMs") + sum("barrierWaitMs") + sum("lockWaitMs");
  const windows = done.reduce((a, d) => a + d.history.samples.reduce((x, y) => x + y, 0), 0);
  const steadyWindows = done.reduce((a, d) => a + d.history.samples.slice(1).reduce((x, y) => x + y, 0), 0);
  const steadySec = (Math.max(...done.map((d) => d.trainEnd)) - Math.min(...done.map((d) => d.history.epochEnd[0]))) / 1000;
  return {
    merged,
    workers: done.map((d) => ({ id: d.workerId, samples: o.rowsOf(d.workerId), history: d.history, timing: d.timing })),
    wallSec: o.wallSec,
    backend: [...t.backends].join("+"),
    trainingKernel: [...new Set(done.map((d) => d.kernel))].join("+"),
    ...(done.some((d) => d.kernelNote) ? { trainingKernelNote: done.find((d) => d.kernelNote)!.kernelNote } : {}),
    averaging: averagingRule(o.config),
    staleness: mergeStaleness(done.flatMap((d) => (d.staleness ? [d.staleness] : []))),
    windowsPerSec: windows / trainSec,
    steadyWindowsPerSec: t.epochs.length > 1 ? steadyWindows / steadySec : NaN,
    timing: {
      startupSec: (t.readyAt - o.t0) / 1000,
      trainSec,
      computeSec: sum("computeMs"),
      paramStoreSec: sum("paramStoreMs"),
      averagingSec: sum("averagingMs"),
      barrierWaitSec: sum("barrierWaitMs"),
      lockWaitSec: sum("lockWaitMs"),
      validationSec: sum("validationMs"),
      overheadFraction: workerTrainSec > 0 ? overhead / workerTrainSec : 0,
      steadyOverheadFraction: steadyOverheadFraction(done),
    },
  };
}
