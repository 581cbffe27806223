// Notebook 07: the original project's experiment (posture tokens → Embedding + 3 × RNN(256)) and
// the feature-window model, trained and tested on the SAME recordings, so the numbers compare.
import { FrameDataset } from "../types";
import { DerivedDfCsv } from "../data/dfcsv-derive";
import { makeWindows } from "../data/windows";
import { groupedSplit, splitWindows } from "../data/split";
import { applyScaler, fitScaler } from "../data/scaler";
import { DistributedConfig } from "../distributed/config";
import { ModelSpec } from "../model/spec";
import { evaluateAll, Evaluation, rocCurve, sequenceScores } from "../evaluate";
import { Figure, rocFigure } from "../plot/figures";
import { PreparedSplit, identityScaler } from "./prepare";
import { disposeMembers, trainFold } from "./train-fold";
import { FitResult, ProgressEventCallback } from "../distributed";
import type { OriginalModelSummary } from "./notebook-steps";

export interface ComparisonSplit {
  /** Recordings held out for testing (both models). */
  testIds: string[];
  tokens: PreparedSplit;
  features: PreparedSplit;
}

/**
 * One grouped, stratified hold-out split of the recordings, applied to both the token rows and
 * the feature windows (T, stride as given; the scaler sees the training side only).
 */
export function prepareComparison(ds: FrameDataset, derived: DerivedDfCsv, opts: { seed: number; testFraction?: number; T: number; stride: number }): ComparisonSplit {
  const tokenWindows = derived.windows;
  const featureWindows = makeWindows(ds, { T: opts.T, stride: opts.stride, withDiffs: true });
  if (tokenWindows.sequenceIds.join() !== featureWindows.sequenceIds.join()) throw new Error("prepareComparison: token rows and feature windows list different recordings");
  // The fold names recordings by index; both sets index the same recordings. Recordings too short
  // for a feature window are in neither side of the fold, so both models skip them.
  const fold = groupedSplit(featureWindows, { seed: opts.seed, testFraction: opts.testFraction ?? 0.2 });
  const tok = splitWindows(tokenWindows, fold);
  const feat = splitWindows(featureWindows, fold);
  const scaler = fitScaler(feat.train);
  return {
    testIds: fold.testSeq.map((s) => tokenWindows.sequenceIds[s]),
    tokens: { fold, train: tok.train, test: tok.test, scaler: identityScaler(tokenWindows.featureNames) },
    features: { fold, train: applyScaler(feat.train, scaler), test: applyScaler(feat.test, scaler), scaler },
  };
}

export interface ModelOutcome {
  name: string;
  spec: ModelSpec;
  parameters: number;
  fit: FitResult;
  threshold: number;
  evaluation: Evaluation;
  /** Smoothed test scores, one per test window. */
  testScores: Float32Array;
  split: PreparedSplit;
}

/** Train one model on its side of the split (thresholds from training recordings only) and evaluate it. */
export async function trainAndEvaluate(
  name: string,
  split: PreparedSplit,
  opts: { spec: ModelSpec; config: DistributedConfig; epochs: number; smooth: number; onProgress?: ProgressEventCallback },
): Promise<ModelOutcome> {
  const r = await trainFold(split.train, split.test, { spec: opts.spec, config: opts.config, epochs: opts.epochs, smooth: opts.smooth, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const parameters = r.models[0].weightCount;
  disposeMembers(r);
  return { name, spec: opts.spec, parameters, fit: r.fit, threshold: r.threshold, evaluation: evaluateAll(r.testProbs, split.test, r.threshold), testScores: r.testProbs, split };
}

/** One row per model: what a reader compares. */
export function comparisonTable(outcomes: readonly ModelOutcome[]): Record<string, string | number>[] {
  const f3 = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));
  return outcomes.map((o) => {
    const s = o.evaluation.sequence;
    return {
      model: o.name,
      parameters: o.parameters,
      "train s": Number(o.fit.wallSec.toFixed(1)),
      "windows/s": Math.round(o.fit.windowsPerSec),
      "window AUC": f3(o.evaluation.window.auc),
      "window acc": f3(o.evaluation.window.accuracy),
      "falls found": `${s.confusionMatrix[1][1]}/${s.support.positive}`,
      "ADLs right": `${s.confusionMatrix[0][0]}/${s.support.negative}`,
      "recording AUC": f3(s.auc),
      threshold: f3(o.threshold),
    };
  });
}

/** What 07's step file keeps of each model: settings, size, time and the headline metrics. */
export function comparisonSummary(outcomes: readonly ModelOutcome[]): OriginalModelSummary[] {
  return outcomes.map((o) => ({
    name: o.name,
    spec: o.spec,
    parameters: o.parameters,
    epochs: o.fit.merged.loss.length,
    wallSec: o.fit.wallSec,
    threshold: o.threshold,
    window: { auc: o.evaluation.window.auc, accuracy: o.evaluation.window.accuracy },
    sequence: { auc: o.evaluation.sequence.auc, confusionMatrix: o.evaluation.sequence.confusionMatrix },
  }));
}

/** Window and recording ROC curves of every model on one plot. */
export function comparisonRocFigure(outcomes: readonly ModelOutcome[]): Figure {
  return rocFigure(
    outcomes.flatMap((o) => {
      const w = rocCurve(o.testScores, o.split.test.y);
      const seq = sequenceScores(o.testScores, o.split.test);
      const r = rocCurve(seq.scores, seq.labels);
      return [
        { name: `${o.name}, windows`, fpr: w.fpr, tpr: w.tpr, auc: o.evaluation.window.auc },
        { name: `${o.name}, recordings`, fpr: r.fpr, tpr: r.tpr, auc: o.evaluation.sequence.auc },
      ];
    }),
    { title: "Same test recordings: original experiment vs feature windows" },
  );
}

/** How often each posture token occurs, split by the rows' fall label. */
export function postureHistogramFigure(derived: DerivedDfCsv): Figure {
  const K = derived.options.postures;
  const counts = [new Array<number>(K).fill(0), new Array<number>(K).fill(0)];
  const w = derived.windows;
  for (let i = 0; i < w.count; i++) for (let t = 0; t < w.T; t++) counts[w.y[i] === 1 ? 1 : 0][w.x[i * w.T + t]]++;
  const tokens = Array.from({ length: K }, (_, k) => k);
  return {
    data: [
      { type: "bar", name: "rows labelled no fall", x: tokens, y: counts[0] },
      { type: "bar", name: "rows labelled fall", x: tokens, y: counts[1] },
    ],
    layout: {
      title: { text: `Posture tokens in df.csv (${K} k-means postures; 0 = highest centroid D)` },
      barmode: "group",
      xaxis: { title: { text: "posture token" }, dtick: 1 },
      yaxis: { title: { text: "occurrences" }, type: "log" },
      width: 760,
      height: 380,
    },
  };
}
