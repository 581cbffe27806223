// Train one split data-parallel, choose the threshold on training predictions only, and score
// the held-out side: the unit the pipeline repeats per fold.
import { WindowSet } from "../types";
import { DistributedModel, FitResult, ProgressEventCallback } from "../distributed";
import { DistributedConfig, EpochEndCallback, FaultInjection, FitOptions } from "../distributed/config";
import { ModelSpec } from "../model/spec";
import { chooseSequenceThreshold } from "../evaluate/sequence-threshold";
import { smoothScores } from "../evaluate/smoothing";
import { averageProbabilities } from "../evaluate/ensemble";

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
  /**
   * More models for an ensemble (default none: `spec` alone). Each is trained on the same split with
   * the same config and epochs, after `spec`'s model; the window probabilities of all models are
   * averaged before smoothing, and the threshold is chosen on those averaged training scores.
   * Give each member its own `seed` (or another kind) or it repeats `spec`'s model exactly.
   * onEpochEnd and resume concern `spec`'s model only: after a resume the members train afresh.
   */
  members?: readonly ModelSpec[];
  /**
   * Stochastic weight averaging: from this epoch (1-based) to the last, keep the running mean of the
   * weights after each epoch, and predict with that mean instead of the last epoch's weights (for
   * `spec`'s model and each member). Default: off (the last epoch's weights). After a resume only the
   * epochs trained since are averaged.
   */
  averageWeightsFrom?: number;
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
  /** The trained ensemble members, in `members` order (empty for a single model). */
  members: DistributedModel[];
  /** Their fits, same order. */
  memberFits: FitResult[];
}

/** Probabilities strictly inside (0, 1) keep the threshold usable for score alignment. */
function clampThreshold(t: number): number {
  return Math.min(Math.max(t, 1e-6), 1 - 1e-6);
}

/** Running mean of the weights after each epoch from `from` (1-based) on; see averageWeightsFrom. */
export class WeightAverage {
  private sum: Float64Array | null = null;
  private n = 0;
  constructor(readonly from: number) {
    if (!Number.isInteger(from) || from < 1) throw new RangeError(`averageWeightsFrom must be an integer >= 1, got ${from}`);
  }
  /** Add the weights after 0-based epoch `epoch` if it is in the averaged range. */
  add(epoch: number, weights: Float32Array): void {
    if (epoch + 1 < this.from) return;
    this.sum ??= new Float64Array(weights.length);
    if (weights.length !== this.sum.length) throw new RangeError(`WeightAverage: ${weights.length} weights, expected ${this.sum.length}`);
    for (let i = 0; i < weights.length; i++) this.sum[i] += weights[i];
    this.n++;
  }
  get count(): number {
    return this.n;
  }
  /** The mean, or null when no epoch was added. */
  mean(): Float32Array | null {
    if (!this.sum) return null;
    const out = new Float32Array(this.sum.length);
    for (let i = 0; i < out.length; i++) out[i] = this.sum[i] / this.n;
    return out;
  }
}

/** fit, then (with averaging) replace the weights by their mean over the averaged epochs. */
async function fitAveraged(model: DistributedModel, train: WindowSet, from: number | undefined, options: FitOptions): Promise<FitResult> {
  if (from === undefined) return model.fit(train, options);
  const avg = new WeightAverage(from);
  const onEpochEnd = options.onEpochEnd;
  const fit = await model.fit(train, {
    ...options,
    onEpochEnd: async (end) => {
      avg.add(end.epoch, end.weights);
      if (onEpochEnd) await onEpochEnd(end);
    },
  });
  const mean = avg.mean();
  if (mean) model.setFlatWeights(mean);
  return fit;
}

export async function trainFold(train: WindowSet, test: WindowSet, opts: TrainFoldOptions): Promise<TrainFoldResult> {
  const from = opts.averageWeightsFrom;
  if (from !== undefined && (!Number.isInteger(from) || from < 1 || from > opts.epochs)) {
    throw new RangeError(`averageWeightsFrom must be an integer from 1 to epochs (${opts.epochs}), got ${from}`);
  }
  const model = await DistributedModel.create({ model: opts.spec, config: opts.config });
  if (opts.resume) model.setFlatWeights(opts.resume.weights);
  const fit = await fitAveraged(model, train, opts.averageWeightsFrom, {
    epochs: opts.epochs,
    ...(opts.resume ? { initialEpoch: opts.resume.initialEpoch } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.onEpochEnd ? { onEpochEnd: opts.onEpochEnd } : {}),
    ...(opts.faultInjection ? { faultInjection: opts.faultInjection } : {}),
  });
  const members: DistributedModel[] = [];
  const memberFits: FitResult[] = [];
  for (const spec of opts.members ?? []) {
    const member = await DistributedModel.create({ model: spec, config: opts.config });
    memberFits.push(
      await fitAveraged(member, train, opts.averageWeightsFrom, {
        epochs: opts.epochs,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      }),
    );
    members.push(member);
  }
  const all = [model, ...members];
  const scores = async (set: WindowSet): Promise<Float32Array> => {
    if (set.count === 0) return new Float32Array(0);
    const probs: Float32Array[] = [];
    for (const m of all) probs.push(await m.predict(set.x, set.count));
    return smoothScores(probs.length === 1 ? probs[0] : averageProbabilities(probs), set, opts.smooth);
  };
  const trainProbs = await scores(train);
  const threshold = clampThreshold(chooseSequenceThreshold(trainProbs, train, { criterion: "youden", split: "train" }));
  const testProbs = await scores(test);
  return { model, members, memberFits, fit, threshold, trainProbs, testProbs };
}
