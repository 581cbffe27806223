// A cluster fit's plain parts, shared by the driver that starts mpirun (cluster-fit.ts) and rank 0
// of a job a scheduler started (in-job.ts): the options and result types, the job every rank
// receives, and the result summarised from the ranks' reports.
import type { DistributedModel, FitData, FitResult } from "../distributed/distributed-model";
import { mergeStaleness, sumTimingSec, TimedPart } from "../distributed/fit-result";
import type { Staleness } from "../distributed/protocol";
import { averagingRule, EpochEndCallback, ProgressEventCallback, ResolvedConfig } from "../distributed/config";
import { MetricSums, mergeMetricSums, metricsFromSums } from "../distributed/metrics";
import type { ResolvedCluster } from "./launcher";
import type { ClusterJob, RankReport } from "./protocol";

export interface ClusterFitOptions {
  epochs: number;
  initialEpoch?: number;
  validationSplit?: number;
  shuffle?: boolean;
  onProgress?: ProgressEventCallback;
  /** After every epoch, with rank 0's weights and the merged figures (a scheduler-started job: when the fit ends, in order). */
  onEpochEnd?: EpochEndCallback;
  /** Fail when no rank has said anything for this long (default 300 s, as a thread's stall timeout). */
  stallTimeoutSec?: number;
}

/** Where the job ran: what metrics.json and the report record. */
export interface ClusterLayout {
  kind: "mpi";
  mpi: string;
  ranks: number;
  workersPerRank: number;
  hostfile: string | null;
  /** One entry a rank: its host name (as the rank saw it), pid and threads. */
  placement: { rank: number; host: string; pid: number; workers: number }[];
}

export interface ClusterFitResult extends FitResult {
  cluster: ClusterLayout;
  /** Asynchronous / hogwild: the other ranks' pushes to rank 0's store (FitResult.staleness is the threads' pushes within their ranks). */
  rankStaleness: Staleness | null;
  reports: RankReport[];
}

export interface EpochLine {
  loss: number;
  acc: number;
  samples: number;
  val: MetricSums | null;
}

/**
 * Micro-batches of a cluster run in mode 'gradients': at least one per worker over all ranks, as the
 * thread trainer's default gives W workers (max(8, W), at most a batch), so R × K ranks' threads
 * train the model K × R threads of one process would.
 */
export function clusterMicroBatches(config: ResolvedConfig, workers: number): number {
  return config.mode === "gradients" ? Math.min(Math.max(config.microBatches, workers), config.batchSize) : config.microBatches;
}

/** The job every rank receives, checked. */
export function makeJob(model: DistributedModel, data: FitData, options: ClusterFitOptions, c: ResolvedCluster): ClusterJob {
  const epochs = options.epochs;
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`epochs must be an integer >= 1; got ${epochs}`);
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) throw new RangeError(`initialEpoch must be in [0, ${epochs - 1}]; got ${initialEpoch}`);
  const rowSize = data.T * data.F;
  if (data.x.length !== data.count * rowSize || data.y.length !== data.count) throw new TypeError(`data: x must hold count × T × F = ${data.count * rowSize} floats and y count = ${data.count}`);
  return {
    spec: model.spec,
    config: { ...model.config, numWorkers: c.workersPerRank, microBatches: clusterMicroBatches(model.config, c.ranks * c.workersPerRank) },
    ranks: c.ranks,
    epochs,
    initialEpoch,
    shuffle: options.shuffle ?? true,
    validationSplit: options.validationSplit ?? 0,
    stallTimeoutSec: options.stallTimeoutSec ?? 300,
    count: data.count,
    rowSize,
    weightCount: model.weightCount,
    ...(options.onEpochEnd ? { epochWeights: true } : {}),
  };
}

export interface JobOutput {
  weights: Float32Array;
  reports: RankReport[];
  epochs: Map<number, Map<number, EpochLine>>;
  hellos: Map<number, { host: string; pid: number; workers: number }>;
}

export function mergeEpoch(list: EpochLine[]) {
  const trained = list.filter((m) => m.samples > 0);
  const n = trained.reduce((a, m) => a + m.samples, 0);
  const val = list.some((m) => m.val) ? metricsFromSums(mergeMetricSums(list.flatMap((m) => (m.val ? [m.val] : [])))) : null;
  return { loss: trained.reduce((a, m) => a + m.loss * m.samples, 0) / n, acc: trained.reduce((a, m) => a + m.acc * m.samples, 0) / n, samples: n, val };
}

export function summarise(run: JobOutput, c: ResolvedCluster, mpi: string, wallSec: number, nEpochs: number, config: ResolvedConfig): ClusterFitResult {
  const sorted = [...run.epochs.keys()].sort((a, b) => a - b).slice(-nEpochs);
  const merged: FitResult["merged"] = { loss: [], acc: [] };
  for (const e of sorted) {
    const m = mergeEpoch([...run.epochs.get(e)!.values()]);
    merged.loss.push(m.loss);
    merged.acc.push(m.acc);
    if (m.val) {
      merged.valLoss ??= [];
      merged.valAcc ??= [];
      merged.valLoss.push(m.val.loss);
      merged.valAcc.push(m.val.accuracy);
    }
  }
  const reports = [...run.reports].sort((a, b) => a.rank - b.rank);
  const workers = reports.flatMap((r) => r.workers.map((w) => {
    const history = { loss: [] as number[], acc: [] as number[], samples: [] as number[], numTensors: [] as number[], epochEnd: [] as number[] };
    for (const e of sorted) {
      const l = run.epochs.get(e)!.get(w.globalId);
      history.loss.push(l?.loss ?? NaN);
      history.acc.push(l?.acc ?? NaN);
      history.samples.push(l?.samples ?? 0);
    }
    return { id: w.globalId, samples: w.samples, history, timing: w.timing };
  }));
  const sum = (k: TimedPart) => sumTimingSec(workers, k);
  const trainSec = Math.max(...workers.map((w) => w.timing.trainMs)) / 1000;
  const windows = workers.reduce((a, w) => a + w.history.samples.reduce((x, y) => x + y, 0), 0);
  const exchangeSec = reports.reduce((a, r) => a + r.exchangeMs, 0) / 1000;
  const workerTrainSec = sum("trainMs");
  const overhead = sum("paramStoreMs") + sum("averagingMs") + sum("barrierWaitMs") + sum("lockWaitMs");
  return {
    merged,
    workers,
    wallSec,
    backend: [...new Set(reports.map((r) => r.backend))].join("+"),
    trainingKernel: [...new Set(reports.map((r) => r.kernel))].join("+"),
    averaging: `${averagingRule({ ...config, numWorkers: c.ranks * c.workersPerRank })}; across ranks: ${acrossRanks(config, c.workersPerRank)}`,
    staleness: mergeStaleness(reports.flatMap((r) => (r.staleness ? [r.staleness] : []))),
    rankStaleness: reports.find((r) => r.rankStaleness)?.rankStaleness ?? null,
    ...(reports.some((r) => r.kernelNote) ? { trainingKernelNote: reports.find((r) => r.kernelNote)!.kernelNote } : {}),
    windowsPerSec: windows / trainSec,
    steadyWindowsPerSec: NaN,
    timing: {
      startupSec: Math.max(0, wallSec - trainSec),
      trainSec,
      computeSec: sum("computeMs"),
      paramStoreSec: sum("paramStoreMs") + exchangeSec,
      averagingSec: sum("averagingMs"),
      barrierWaitSec: sum("barrierWaitMs"),
      lockWaitSec: sum("lockWaitMs"),
      validationSec: sum("validationMs"),
      overheadFraction: workerTrainSec > 0 ? overhead / workerTrainSec : 0,
      // Ranks report their counters once, at the end (as steadyWindowsPerSec, no steady figure).
      steadyOverheadFraction: NaN,
    },
    cluster: {
      kind: "mpi",
      mpi,
      ranks: c.ranks,
      workersPerRank: c.workersPerRank,
      hostfile: c.hostfile,
      placement: [...run.hellos.entries()].sort((a, b) => a[0] - b[0]).map(([rank, h]) => ({ rank, ...h })),
    },
    reports,
  };
}

/** How the ranks combine what their threads averaged, in words (the rule itself counts R × K workers). */
function acrossRanks(config: ResolvedConfig, threads: number): string {
  if (config.mode === "asynchronous" || config.mode === "hogwild") {
    const when = config.frequency === "batch" ? `every ${config.syncEvery * threads} batches of its threads` : "after each epoch";
    const adam = config.push === "gradients" ? "each rank's threads step that rank's own Adam state" : "each thread with its own Adam state";
    return `each rank pushes its weights' change to rank 0's store ${when} and takes the store's weights back (${config.mode === "asynchronous" ? "under the store's lock" : "without a lock"}; ${adam})`;
  }
  if (config.mode === "gradients") return `each rank computes its slots' micro-batch gradients (from ${config.sampling === "shards" ? "its own shards" : "all rows, which every rank holds"}); they are averaged in slot order by a chain through the ranks (float64 running sum) and broadcast`;
  if (config.mode === "synchronous" && config.averageMoments) return "each rank's average of weights and Adam state, then one row-weighted allreduce carrying both";
  return "each rank's average, then their row-weighted allreduce";
}
