// Training throughput of the distributed trainer, case by case, in interleaved rounds: every round
// runs every (model, setup, workers) case once, with the worker counts alternating order between
// rounds, so machine load (other processes on a shared 2-core box) hits 1- and 2-worker runs alike.
// Speedups are ratios of runs from the same round, then the median over rounds.
import * as os from "node:os";
import type { RnnKind } from "../model/rnn";
import { DistributedModel, FitResult } from "../distributed/distributed-model";
import { defaultFrequency, DistributedConfig } from "../distributed/config";
import type { FitData } from "../distributed/distributed-model";
import { median, min, max } from "./stats";
import { cpuShare, cpuSnapshot, CpuShare, CpuSnapshot } from "./cpu";
import { gemmStats, kernelWithGemmPath } from "../model/fused-rnn";
import { endIdleWorkers } from "../distributed/worker-pool";
import { urfdShapedSpec } from "../distributed/measure-throughput";

export type Setup = Pick<DistributedConfig, "mode" | "frequency" | "syncEvery">;

/** The setups `npm run bench` measures: gradient averaging (global batch), each weight/delta mode once per epoch, and synchronous per batch. */
export const BENCH_SETUPS: Setup[] = [
  { mode: "gradients", frequency: "batch" },
  { mode: "synchronous", frequency: "epoch" },
  { mode: "asynchronous", frequency: "epoch" },
  { mode: "hogwild", frequency: "epoch" },
  { mode: "synchronous", frequency: "batch", syncEvery: 1 },
];

export function setupLabel(s: Setup): string {
  return s.frequency === "batch" ? `${s.mode}×batch${(s.syncEvery ?? 1) === 1 ? "" : `/${s.syncEvery}`}` : s.mode;
}

/** One fit of one case in one round. */
export interface RunSample {
  round: number;
  model: RnnKind;
  setup: string;
  mode: string;
  frequency: string;
  workers: number;
  backend: string;
  /** Code that computed the training steps (FitResult.trainingKernel). */
  kernel: string;
  /** Windows/s over all epochs (first epoch included, worker startup excluded). */
  windowsPerSec: number;
  /** Windows/s after the first epoch. */
  steadyWindowsPerSec: number;
  /** Windows/s of the whole call, worker startup and first epoch included. */
  wallWindowsPerSec: number;
  startupSec: number;
  trainSec: number;
  /** Steady-state seconds per epoch (all windows once). */
  epochSec: number;
  /** FitResult.timing.overheadFraction × 100: (param store + averaging + barrier + lock) / worker train time. */
  overheadPct: number;
  /** The same over the epochs after the first (FitResult.timing.steadyOverheadFraction × 100), as the steady windows/s. */
  steadyOverheadPct: number;
  /** (param store + averaging) / worker train time × 100: the cost of exchanging weights itself. */
  storePct: number;
  /** (barrier + lock waits) / worker train time × 100: waiting for the other workers. */
  waitPct: number;
  /** Training-step time / worker train time × 100. */
  computePct: number;
  /** Mean ms inside the training step per batch, over workers. */
  computeMsPerBatch: number;
  loadavg1: number;
  /** CPU share over the steady epochs (epoch 1 end → last epoch end): cores this process kept busy, and other processes. */
  steadyOwnCores: number;
  /** The main thread's share of steadyOwnCores (it coordinates all workers; null off Linux). */
  steadyMainCores: number | null;
  steadyOtherCores: number | null;
  steadyStealCores: number | null;
  /** Steady windows per CPU-second of this process: flat across worker counts = perfect scaling per core obtained. */
  steadyWindowsPerCpuSec: number;
  timing: FitResult["timing"];
}

export interface TrainingOptions {
  data: FitData;
  epochs: number;
  rounds: number;
  models: RnnKind[];
  setups: Setup[];
  workerCounts: number[];
  batchSize: number;
  log?: (line: string) => void;
  /** Asked before every round after the first; false stops (e.g. a time budget). */
  startRound?: (round: number) => boolean;
  /** Called after each round (e.g. to run the PyTorch reference between rounds). */
  afterRound?: (round: number) => Promise<void>;
  /** Keep the DistributedModel of this case (the last round's) for the inference benchmark. */
  keep?: { model: RnnKind; setup: string; workers: number };
  /** Epochs of the untimed fit before each timed one (warmThreads); 0 times fresh threads. */
  warmUpEpochs: number;
}

/**
 * Threads as the pipeline's fits find them: the idle pool emptied, then an untimed fit of the same case that
 * leaves its threads there for the timed fit. V8 optimises a worker's loop on the worker's own thread
 * (jit-threads.ts) some epochs in (15-45 ms, while the other workers wait at the next barrier); the pipeline
 * pays that once a thread, the bench would pay it inside every timed fit. So too a fresh thread's first
 * mark-compact (WorkerTiming.majorGcs), marked on V8's helper threads: the untimed fit is run again, up to
 * MAX_WARM_FITS times, until every worker has had it. Returns the untimed fits run.
 */
export async function warmThreads(data: FitData, kind: RnnKind, setup: Setup, workers: number, epochs: number, batchSize: number): Promise<number> {
  await endIdleWorkers();
  if (epochs <= 0) return 0;
  for (let fits = 1; ; fits++) {
    const dm = await DistributedModel.create({ model: urfdShapedSpec(kind, data), config: { ...setup, numWorkers: workers, batchSize } });
    const r = await dm.fit(data, { epochs });
    if (fits >= MAX_WARM_FITS || r.workers.every((w) => (w.timing.majorGcs ?? 0) >= 1)) return fits;
  }
}

/** Untimed fits at most before a timed one (a thread's first mark-compact came within 0.3-2.9 s of its start). */
export const MAX_WARM_FITS = 4;

/** Train one case once and turn its FitResult into a sample. */
export async function runCase(
  data: FitData,
  kind: RnnKind,
  setup: Setup,
  workers: number,
  epochs: number,
  batchSize: number,
  round = 0,
): Promise<{ sample: RunSample; dm: DistributedModel; result: FitResult }> {
  const loadavg1 = os.loadavg()[0];
  const dm = await DistributedModel.create({ model: urfdShapedSpec(kind, data), config: { ...setup, numWorkers: workers, batchSize } });
  let afterFirst: CpuSnapshot | null = null;
  let atLast: CpuSnapshot | null = null;
  const gemmBefore = gemmStats();
  const fit = await dm.fit(data, {
    epochs,
    onProgress: (e) => {
      // The steady rate's own window (epoch 1 end to the last epoch's end): the fit's closing work is not an epoch's.
      if (e.type === "merged" && e.epoch === 0) afterFirst = cpuSnapshot();
      if (e.type === "merged" && e.epoch === epochs - 1) atLast = cpuSnapshot();
    },
  });
  const r: FitResult = { ...fit, trainingKernel: kernelWithGemmPath(fit.trainingKernel, gemmBefore) };
  const share = afterFirst ? cpuShare(afterFirst, atLast ?? undefined) : null;
  return { sample: sampleOf(r, { round, kind, setup, workers, epochs, count: data.count, batchSize, loadavg1 }, share), dm, result: r };
}

export function sampleOf(
  r: FitResult,
  c: { round: number; kind: RnnKind; setup: Setup; workers: number; epochs: number; count: number; batchSize: number; loadavg1: number },
  share: CpuShare | null = null,
): RunSample {
  const workerTrainMs = r.workers.reduce((a, w) => a + w.timing.trainMs, 0);
  const pct = (sec: number) => (workerTrainMs > 0 ? (100 * sec * 1000) / workerTrainMs : 0);
  const t = r.timing;
  const batches = r.workers.reduce((a, w) => a + Math.ceil(w.samples / c.batchSize) * c.epochs, 0);
  return {
    round: c.round,
    model: c.kind,
    setup: setupLabel(c.setup),
    mode: c.setup.mode,
    frequency: c.setup.frequency ?? defaultFrequency(c.setup.mode),
    workers: c.workers,
    backend: r.backend,
    kernel: r.trainingKernel,
    windowsPerSec: r.windowsPerSec,
    steadyWindowsPerSec: r.steadyWindowsPerSec,
    wallWindowsPerSec: (c.count * c.epochs) / r.wallSec,
    startupSec: t.startupSec,
    trainSec: t.trainSec,
    epochSec: c.count / r.steadyWindowsPerSec,
    overheadPct: 100 * t.overheadFraction,
    steadyOverheadPct: 100 * t.steadyOverheadFraction,
    storePct: pct(t.paramStoreSec + t.averagingSec),
    waitPct: pct(t.barrierWaitSec + t.lockWaitSec),
    computePct: pct(t.computeSec),
    computeMsPerBatch: batches > 0 ? (t.computeSec * 1000) / batches : NaN,
    loadavg1: c.loadavg1,
    steadyOwnCores: share?.ownCores ?? NaN,
    steadyMainCores: share?.mainCores ?? null,
    steadyOtherCores: share?.otherCores ?? null,
    steadyStealCores: share?.stealCores ?? null,
    steadyWindowsPerCpuSec: share ? r.steadyWindowsPerSec / share.ownCores : NaN,
    timing: t,
  };
}

export async function runTrainingRounds(o: TrainingOptions): Promise<{ samples: RunSample[]; kept: DistributedModel | null }> {
  const log = o.log ?? (() => {});
  const samples: RunSample[] = [];
  let kept: DistributedModel | null = null;
  for (let round = 0; round < o.rounds; round++) {
    if (round > 0 && o.startRound && !o.startRound(round)) {
      log(`stopping after ${round} round(s): time budget`);
      break;
    }
    // Alternate the worker order so neither count always runs first (warmer, or right after a load spike).
    const counts = round % 2 === 0 ? o.workerCounts : [...o.workerCounts].reverse();
    for (const kind of o.models) {
      for (const setup of o.setups) {
        for (const workers of counts) {
          const warmFits = await warmThreads(o.data, kind, setup, workers, o.warmUpEpochs, o.batchSize);
          const { sample, dm } = await runCase(o.data, kind, setup, workers, o.epochs, o.batchSize, round);
          samples.push(sample);
          if (o.keep && o.keep.model === kind && o.keep.setup === sample.setup && o.keep.workers === workers) kept = dm;
          log(
            `round ${round + 1}/${o.rounds} ${kind} ${sample.setup.padEnd(18)} W=${workers} steady ${sample.steadyWindowsPerSec.toFixed(0).padStart(5)} win/s ` +
              `(all epochs ${sample.windowsPerSec.toFixed(0)}, wall ${sample.wallWindowsPerSec.toFixed(0)}) overhead ${sample.overheadPct.toFixed(1)}% ` +
              `[store ${sample.storePct.toFixed(2)}% wait ${sample.waitPct.toFixed(1)}%] cores: own ${sample.steadyOwnCores.toFixed(2)} (main thread ${sample.steadyMainCores?.toFixed(3) ?? "?"}) others ${sample.steadyOtherCores?.toFixed(2) ?? "?"} load ${sample.loadavg1.toFixed(1)} warm-up fits ${warmFits}`,
          );
        }
      }
    }
    await o.afterRound?.(round);
  }
  return { samples, kept };
}

/** Which case a row is about: shared by the summary here and bench.json's rows. */
export interface CaseIdentity {
  model: RnnKind;
  mode: string;
  frequency: string;
  setup: string;
  workers: number;
  backend: string;
  kernel: string;
  runs: number;
}

/** Medians of one case over rounds. */
export interface CaseSummary extends CaseIdentity {
  /** Median steady-state windows/s (first epoch excluded). */
  samplesPerSec: number;
  samplesPerSecMin: number;
  samplesPerSecMax: number;
  /** Median windows/s over all epochs (first included; startup excluded). */
  allEpochsPerSec: number;
  /** Median windows/s of the whole fit call (startup included). */
  wallPerSec: number;
  epochSec: number;
  startupSec: number;
  overheadPct: number;
  steadyOverheadPct: number;
  storePct: number;
  waitPct: number;
  computeMsPerBatch: number;
  ownCores: number;
  /** The main thread's share of ownCores (NaN off Linux). */
  mainCores: number;
  /** Cores each worker kept busy with its threads: ownCores less the main thread, ÷ workers (V8's helper threads count as the workers'). */
  workerCores: number;
  otherCores: number;
  windowsPerCpuSec: number;
}

const caseKey = (s: { model: string; setup: string; workers: number }) => `${s.model}|${s.setup}|${s.workers}`;

export function summarizeCases(samples: readonly RunSample[]): CaseSummary[] {
  const groups = new Map<string, RunSample[]>();
  for (const s of samples) groups.set(caseKey(s), [...(groups.get(caseKey(s)) ?? []), s]);
  return [...groups.values()].map((g) => {
    const m = (f: (s: RunSample) => number) => median(g.map(f));
    const steady = g.map((s) => s.steadyWindowsPerSec);
    return {
      model: g[0].model,
      mode: g[0].mode,
      frequency: g[0].frequency,
      setup: g[0].setup,
      workers: g[0].workers,
      backend: g[0].backend,
      kernel: [...new Set(g.map((s) => s.kernel))].join("+"),
      runs: g.length,
      samplesPerSec: median(steady),
      samplesPerSecMin: min(steady),
      samplesPerSecMax: max(steady),
      allEpochsPerSec: m((s) => s.windowsPerSec),
      wallPerSec: m((s) => s.wallWindowsPerSec),
      epochSec: m((s) => s.epochSec),
      startupSec: m((s) => s.startupSec),
      overheadPct: m((s) => s.overheadPct),
      steadyOverheadPct: m((s) => s.steadyOverheadPct),
      storePct: m((s) => s.storePct),
      waitPct: m((s) => s.waitPct),
      computeMsPerBatch: m((s) => s.computeMsPerBatch),
      ownCores: m((s) => s.steadyOwnCores),
      mainCores: m((s) => s.steadyMainCores ?? NaN),
      workerCores: m((s) => (s.steadyOwnCores - (s.steadyMainCores ?? NaN)) / s.workers),
      otherCores: m((s) => s.steadyOtherCores ?? NaN),
      windowsPerCpuSec: m((s) => s.steadyWindowsPerCpuSec),
    };
  });
}

/** Per-round ratio of `workers`-worker to 1-worker rates of the same model and setup, then the median over rounds. */
export function speedups(
  samples: readonly RunSample[],
  workers: number,
  rate: (s: RunSample) => number = (s) => s.steadyWindowsPerSec,
): { model: RnnKind; setup: string; median: number; perRound: number[] }[] {
  const out: { model: RnnKind; setup: string; median: number; perRound: number[] }[] = [];
  const seen = new Set<string>();
  for (const s of samples) {
    const k = `${s.model}|${s.setup}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const same = samples.filter((x) => x.model === s.model && x.setup === s.setup);
    const rounds = [...new Set(same.map((x) => x.round))];
    const perRound = rounds.flatMap((r) => {
      const one = same.find((x) => x.round === r && x.workers === 1);
      const many = same.find((x) => x.round === r && x.workers === workers);
      return one && many ? [rate(many) / rate(one)] : [];
    });
    if (perRound.length) out.push({ model: s.model, setup: s.setup, median: median(perRound), perRound });
  }
  return out;
}

/** Median of the per-round speedups of a setup pooled over models. */
export function pooledSpeedup(list: ReturnType<typeof speedups>, setup: string): number {
  return median(list.filter((s) => s.setup === setup).flatMap((s) => s.perRound));
}
