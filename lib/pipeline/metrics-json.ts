// The metrics.json document: what a run measured, on which data, with which settings.
import type { StartModelThresholds } from "./train-fold";
import { hostFacts, HostFacts } from "./host-facts";
import { DataProvenance, FrameDataset } from "../types";
import { Evaluation, Metrics } from "../evaluate";
import { PipelineOptions } from "./options";
import type { FoldOutcome } from "./fold-outcome";
import { mergeStaleness } from "../distributed/distributed-model";
import type { Staleness } from "../distributed/protocol";
import type { ClusterLayout } from "../cluster/cluster-fit";
import type { DetectionFigures } from "../detect/delay";

/** The Metrics fields metrics.json keeps (support is implied by the confusion matrix). */
export type MetricsSummary = Omit<Metrics, "support">;

export interface MetricsJson {
  data: { source: DataProvenance["source"]; dir: string | null; sequences: number; frames: number; note: string };
  config: PipelineOptions;
  backend: string;
  window: MetricsSummary;
  /** --pad-starts, --start-models: the window AUC over the windows that hold T real frames, the window set of an unpadded run (comparable with its `window.auc`). */
  windowUnpadded?: { auc: number | null; windows: number };
  /** --score-stride: the window AUC over the windows with T real frames every --stride frames, the window set of a run without it. */
  windowOnGrid?: { auc: number | null; windows: number };
  sequence: MetricsSummary & { missedFalls: string[]; falseAlarms: string[] };
  /** threshold: 0.5 with --start-models (scores aligned to the fold's two thresholds, given in startModels). */
  folds?: { threshold: number; startModels?: StartModelThresholds; secondWindow?: StartModelThresholds; testSequences: number; window: MetricsSummary; sequence: MetricsSummary }[];
  /** --start-models without --folds: the hold-out split's two thresholds (with --folds they are per fold). */
  startModels?: StartModelThresholds;
  /** --second-window without --folds: the second detector's two thresholds (with --folds they are per fold). */
  secondWindow?: StartModelThresholds;
  /** The deployed detector's alarms on the test recordings (pooled out of fold with --folds): delay, missed falls, false alarms. */
  detection: DetectionFigures;
  scores: string;
  training: {
    wallSec: number;
    trainSec: number;
    windowsPerSec: number;
    overheadFraction: number;
    /** Code that computed the training steps: "fused-native" or "tfjs-layers" (with kernelNote saying why). */
    kernel: string;
    kernelNote?: string;
    /** The data-parallel update rule in words (what the workers exchanged, when, and whose Adam state). */
    averaging: string;
    /** Asynchronous / hogwild: staleness of the pushes over every fold and member (null otherwise). */
    staleness: Staleness | null;
    /** One entry per worker of every fold's every ensemble member (member 1 alone without --ensemble). */
    workers: { id: number; fold: number; member: number; samples: number; history: { loss: number[]; acc: number[] } }[];
    merged: { fold: number; member: number; loss: number[]; acc: number[] }[];
    /** --cluster mpi, asynchronous / hogwild: staleness of the ranks' pushes to rank 0 (`staleness` is the threads' within their ranks). */
    rankStaleness?: Staleness | null;
    /** --cluster mpi: where the first fold's training ran (hosts, ranks, threads per rank). */
    cluster?: ClusterLayout;
    /** The CPU and BLAS kernels of the process that wrote this (absent in runs before 2026-12-04). */
    host?: HostFacts;
  };
}

function summary(m: Metrics): MetricsSummary {
  return {
    accuracy: m.accuracy,
    precision: m.precision,
    recall: m.recall,
    specificity: m.specificity,
    f1: m.f1,
    auc: m.auc,
    confusionMatrix: m.confusionMatrix,
    threshold: m.threshold,
  };
}

export function metricsJson(input: {
  ds: FrameDataset;
  options: PipelineOptions;
  backend: string;
  pooled: Evaluation;
  folds: FoldOutcome[];
  kfold: boolean;
  wallSec: number;
  detection: DetectionFigures;
  windowUnpadded?: { auc: number | null; windows: number };
  windowOnGrid?: { auc: number | null; windows: number };
}): MetricsJson {
  const { ds, pooled, folds } = input;
  const fits = folds.flatMap((f, i) => f.result.memberFits.map((fit, m) => ({ fold: i + 1, member: m + 1, fit })));
  const trainSec = fits.reduce((a, { fit }) => a + fit.timing.trainSec, 0);
  const windows = fits.reduce((a, { fit }) => a + fit.windowsPerSec * fit.timing.trainSec, 0);
  const overhead = fits.reduce((a, { fit }) => a + fit.timing.overheadFraction, 0) / fits.length;
  return {
    data: {
      source: ds.provenance.source,
      dir: ds.provenance.dir,
      sequences: ds.sequences.length,
      frames: ds.table.rows,
      note: ds.provenance.note,
    },
    config: input.options,
    backend: input.backend,
    window: summary(pooled.window),
    ...(input.windowUnpadded ? { windowUnpadded: input.windowUnpadded } : {}),
    ...(input.windowOnGrid ? { windowOnGrid: input.windowOnGrid } : {}),
    sequence: { ...summary(pooled.sequence), missedFalls: pooled.missedFalls, falseAlarms: pooled.falseAlarms },
    ...(!input.kfold && folds[0]?.result.startModels ? { startModels: folds[0].result.startModels } : {}),
    ...(!input.kfold && folds[0]?.result.secondWindow ? { secondWindow: folds[0].result.secondWindow } : {}),
    ...(input.kfold
      ? {
          folds: folds.map((f) => ({
            threshold: f.result.threshold,
            ...(f.result.startModels ? { startModels: f.result.startModels } : {}),
            ...(f.result.secondWindow ? { secondWindow: f.result.secondWindow } : {}),
            testSequences: f.split.fold.testSeq.length,
            window: summary(f.evaluation.window),
            sequence: summary(f.evaluation.sequence),
          })),
        }
      : {}),
    detection: input.detection,
    scores: input.kfold
      ? "pooled out-of-fold predictions; each fold's scores mapped monotonically so its training-chosen threshold is 0.5"
      : "hold-out test predictions mapped monotonically so the training-chosen threshold is 0.5",
    training: {
      wallSec: input.wallSec,
      trainSec,
      windowsPerSec: trainSec > 0 ? windows / trainSec : 0,
      overheadFraction: overhead,
      ...trainingKernel(folds),
      averaging: [...new Set(fits.map(({ fit }) => fit.averaging))].join("; "),
      staleness: mergeStaleness(fits.flatMap(({ fit }) => (fit.staleness ? [fit.staleness] : []))),
      workers: fits.flatMap(({ fold, member, fit }) =>
        fit.workers.map((w) => ({ id: w.id, fold, member, samples: w.samples, history: { loss: w.history.loss, acc: w.history.acc } })),
      ),
      merged: fits.map(({ fold, member, fit }) => ({ fold, member, loss: fit.merged.loss, acc: fit.merged.acc })),
      ...clusterOf(fits.map((f) => f.fit)),
      ...rankStalenessOf(fits.map((f) => f.fit)),
      host: hostFacts(),
    },
  };
}

/** The training kernel(s) the folds used, and the reason tfjs-layers was used where it was. */
export function trainingKernel(folds: FoldOutcome[]): { kernel: string; kernelNote?: string } {
  const kernel = [...new Set(folds.map((f) => f.result.fit.trainingKernel ?? "tfjs-layers"))].join("+");
  const note = folds.map((f) => f.result.fit.trainingKernelNote).find((n) => n);
  return note ? { kernel, kernelNote: note } : { kernel };
}

/** The ranks' pushes to rank 0 over every fit (--cluster mpi; absent for thread training). */
function rankStalenessOf(fits: object[]): { rankStaleness?: Staleness | null } {
  const list = fits.map((f) => (f as { rankStaleness?: Staleness | null }).rankStaleness);
  if (list.every((s) => s === undefined)) return {};
  return { rankStaleness: mergeStaleness(list.flatMap((s) => (s ? [s] : []))) };
}

/** The cluster layout a --cluster mpi fit carries (absent for thread training). */
function clusterOf(fits: object[]): { cluster?: ClusterLayout } {
  const c = fits.map((f) => (f as { cluster?: ClusterLayout }).cluster).find((x) => x);
  return c ? { cluster: c } : {};
}

/**
 * The window AUC over the plain ensemble's window set (full windows every --stride frames), where this run scored other
 * windows (--pad-starts, --start-models, --score-stride, as the default detector does): one phrase per set ("0.9635 over
 * its 9377 windows of 32 real frames"); none for a run scored on that set.
 */
export function otherWindowSetPhrases(m: Pick<MetricsJson, "windowUnpadded" | "windowOnGrid" | "config">): string[] {
  const auc = (x: number | null) => x?.toFixed(4) ?? "n/a";
  return [
    ...(m.windowUnpadded ? [`${auc(m.windowUnpadded.auc)} over its ${m.windowUnpadded.windows} windows of ${m.config.window} real frames`] : []),
    ...(m.windowOnGrid ? [`${auc(m.windowOnGrid.auc)} over the ${m.windowOnGrid.windows} full windows every ${m.config.stride} frames`] : []),
  ];
}
