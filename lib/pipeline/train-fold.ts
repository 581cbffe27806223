// Train one split data-parallel, choose the threshold on training predictions only, and score
// the held-out side: the unit the pipeline repeats per fold.
import { WindowSet } from "../types";
import { DistributedModel, FitResult, ProgressEventCallback } from "../distributed";
import { DistributedConfig, EpochEndCallback, FaultInjection } from "../distributed/config";
import { ModelSpec } from "../model/spec";
import { chooseSequenceThreshold } from "../evaluate/sequence-threshold";
import { smoothScores } from "../evaluate/smoothing";

export interface TrainFoldOptions {
  spec: ModelSpec;
  config: DistributedConfig;
  epochs: number;
  /** Scores are the mean of the last `smooth` window probabilities of a recording (1 = raw). */
  smooth: number;
  onProgress?: ProgressEventCallback;
  /** After every epoch, with a copy of the shared weights (checkpoints). */
  onEpochEnd?: EpochEndCallback;
  /** Continue an interrupted fold: start at this epoch from these weights (Adam state starts afresh). */
  resume?: { initialEpoch: number; weights: Float32Array };
  /** TEST ONLY: passed to fit. */
  faultInjection?: FaultInjection;
}

/** What a finished fold contributes to the run's metrics and report (all plain data). */
export interface FoldResultData {
  fit: FitResult;
  /** Chosen on the training recordings' max-window scores, never on the test side. */
  threshold: number;
  /** The detector's per-window scores: probabilities smoothed over `smooth` windows. */
  trainProbs: Float32Array;
  testProbs: Float32Array;
}

export interface TrainFoldResult extends FoldResultData {
  model: DistributedModel;
}

/** Probabilities strictly inside (0, 1) keep the threshold usable for score alignment. */
function clampThreshold(t: number): number {
  return Math.min(Math.max(t, 1e-6), 1 - 1e-6);
}

export async function trainFold(train: WindowSet, test: WindowSet, opts: TrainFoldOptions): Promise<TrainFoldResult> {
  const model = await DistributedModel.create({ model: opts.spec, config: opts.config });
  if (opts.resume) model.setFlatWeights(opts.resume.weights);
  const fit = await model.fit(train, {
    epochs: opts.epochs,
    ...(opts.resume ? { initialEpoch: opts.resume.initialEpoch } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onEpochEnd ? { onEpochEnd: opts.onEpochEnd } : {}),
    ...(opts.faultInjection ? { faultInjection: opts.faultInjection } : {}),
  });
  const trainProbs = smoothScores(await model.predict(train.x, train.count), train, opts.smooth);
  const threshold = clampThreshold(chooseSequenceThreshold(trainProbs, train, { criterion: "youden", split: "train" }));
  const testProbs = test.count > 0 ? smoothScores(await model.predict(test.x, test.count), test, opts.smooth) : new Float32Array(0);
  return { model, fit, threshold, trainProbs, testProbs };
}
