// Train one split data-parallel, choose the threshold on training predictions only, and score
// the held-out side: the unit the pipeline repeats per fold. With `members` > 1 the fold trains
// that many models from different seeds, one after another, and scores with their mean probability.
import { WindowSet } from "../types";
import { DistributedModel, FitResult, ProgressEventCallback } from "../distributed";
import { DEFAULT_SEED, DistributedConfig, EpochEnd, EpochEndCallback, FaultInjection } from "../distributed/config";
import { RunningMean } from "../distributed/weights";
import { resolveRnnOptions } from "../model/rnn";
import { resolveOriginalOptions } from "../model/original";
import { ModelSpec } from "../model/spec";
import { chooseSequenceThreshold, clampThreshold } from "../evaluate/sequence-threshold";
import { smoothScores } from "../evaluate/smoothing";
import type { ThresholdMidpoint } from "../evaluate/threshold";
import { memberCombine, MemberCombineName } from "../evaluate/member-combine";
import { MAX_MEMBERS } from "./options";
import { gemmStats, kernelWithGemmPath } from "../model/fused-rnn";
import { fitOnCluster } from "../cluster/cluster-fit";
import type { ClusterOptions } from "../cluster/launcher";

export interface TrainFoldOptions {
  spec: ModelSpec;
  config: DistributedConfig;
  epochs: number;
  /** Scores are the mean of the last `smooth` window probabilities of a recording (1 = raw). */
  smooth: number;
  /** Where the threshold sits in the training recordings' gap around Youden's cut (default: the probabilities' midpoint). */
  thresholdMidpoint?: ThresholdMidpoint;
  /** Models trained from different seeds (see memberSeed) whose probabilities are combined (see combine); default 1. */
  members?: number;
  /** Also train `members` models of this spec from the same seeds, after the first spec's (--second-model). */
  secondSpec?: ModelSpec;
  /** How the members' probabilities become one score (default: their mean). */
  combine?: MemberCombineName;
  onProgress?: ProgressEventCallback;
  /** After every epoch, with a copy of the shared weights (checkpoints; on a cluster, rank 0's); single-model folds only. */
  onEpochEnd?: EpochEndCallback;
  /** Continue an interrupted single-model fold: start at this epoch from these weights (Adam state starts afresh). */
  resume?: { initialEpoch: number; weights: Float32Array };
  /** TEST ONLY: passed to fit. */
  faultInjection?: FaultInjection;
  /** Train on an MPI job instead of this process's threads (epoch hooks get rank 0's weights; no fault injection). */
  cluster?: ClusterOptions;
  /** What the members fit on when it is not `train` (augmented copies added); the threshold still comes from `train`. */
  fitWindows?: WindowSet;
  /**
   * Each member's final weights: the mean of its weights at the end of its last N epochs (stochastic weight
   * averaging, Izmailov et al. 2018); 0 or absent: the last epoch's. Thread training from epoch 0 only.
   */
  averageEpochs?: number;
}

/** What a finished fold contributes to the run's metrics and report (all plain data). */
export interface FoldResultData {
  /** The first member's training (the only one of a single-model fold). */
  fit: FitResult;
  /** Every member's training, `fit` first; length = members. */
  memberFits: FitResult[];
  /** Chosen on the training recordings' max-window scores, never on the test side. */
  threshold: number;
  /** The detector's per-window scores: probabilities smoothed over `smooth` windows. */
  trainProbs: Float32Array;
  testProbs: Float32Array;
  /** --start-models: the fold's two thresholds (its scores are then aligned to them, and `threshold` is 0.5). */
  startModels?: StartModelThresholds;
  /** --second-window: the second detector's two thresholds (testProbs are then both detectors' aligned scores joined by the lower). */
  secondWindow?: StartModelThresholds;
}

export interface StartModelThresholds {
  /** All members' mean on full windows, chosen on the main training windows. */
  fullThreshold: number;
  /** The start models' mean on their own windows, chosen on their training windows. */
  startThreshold: number;
}

export interface TrainFoldResult extends FoldResultData {
  /** The trained members, in seed order (the second spec's after the first's). */
  models: DistributedModel[];
  /** Each member's raw probabilities on the training and the test windows (what --start-models mixes). */
  trainMembers: Float32Array[];
  testMembers: Float32Array[];
}

/**
 * Seed of ensemble member `m` (1-based) for the weights' initialisation and the shuffles: member 1
 * keeps the run's seed, so a one-member fold is exactly the single model; later members step by 10.
 */
export function memberSeed(seed: number, m: number): number {
  return seed + 10 * (m - 1);
}

function withSeed(spec: ModelSpec, seed: number): ModelSpec {
  return spec.type === "rnn" ? { type: "rnn", options: { ...spec.options, seed } } : { type: "original", options: { ...spec.options, seed } };
}

/** Element-wise mean of equally long probability arrays. */
export function meanProbabilities(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 0) throw new RangeError("meanProbabilities: no arrays");
  const out = new Float32Array(parts[0].length);
  for (const p of parts) {
    if (p.length !== out.length) throw new RangeError(`meanProbabilities: lengths differ (${p.length} vs ${out.length})`);
    for (let i = 0; i < out.length; i++) out[i] += p[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= parts.length;
  return out;
}

export async function trainFold(train: WindowSet, test: WindowSet, opts: TrainFoldOptions): Promise<TrainFoldResult> {
  const members = opts.members ?? 1;
  if (!Number.isInteger(members) || members < 1 || members > MAX_MEMBERS) throw new RangeError(`trainFold: members must be an integer in [1, ${MAX_MEMBERS}], got ${members}`);
  if ((members > 1 || opts.secondSpec) && (opts.resume || opts.onEpochEnd)) throw new Error("trainFold: epoch checkpoints and resume are for single-model folds only");
  const averageEpochs = opts.averageEpochs ?? 0;
  if (!Number.isInteger(averageEpochs) || averageEpochs < 0 || averageEpochs > opts.epochs) throw new RangeError(`trainFold: averageEpochs must be an integer in [0, epochs = ${opts.epochs}], got ${averageEpochs}`);
  // The mean needs every averaged epoch's weights: a resumed fit would lack some.
  if (averageEpochs > 0 && opts.resume) throw new Error("trainFold: weight averaging needs the whole fit (not resumed)");
  const models: DistributedModel[] = [];
  const memberFits: FitResult[] = [];
  const trainParts: Float32Array[] = [];
  const testParts: Float32Array[] = [];
  const fitOn = opts.fitWindows ?? train;
  try {
    for (const spec of opts.secondSpec ? [opts.spec, opts.secondSpec] : [opts.spec]) {
      for (let m = 1; m <= members; m++) await trainMember(spec, m);
    }
  } catch (err) {
    disposeMembers({ models }); // a failed fold frees the members it trained
    throw err;
  }
  async function trainMember(kindSpec: ModelSpec, m: number): Promise<void> {
    const seed = memberSeed(opts.config.seed ?? DEFAULT_SEED, m);
    // Each spec's members as a run of that spec alone would train them.
    const spec = members === 1 ? kindSpec : withSeed(kindSpec, memberSeed(specSeed(kindSpec), m));
    const model = await DistributedModel.create({ model: spec, config: members === 1 ? opts.config : { ...opts.config, seed } });
    models.push(model);
    if (opts.resume) model.setFlatWeights(opts.resume.weights);
    const average = averageEpochs > 0 ? new RunningMean(model.weightCount) : null;
    if (opts.cluster) {
      if (opts.faultInjection) throw new Error("trainFold: fault injection is for thread training only");
      // The ranks are other processes: their kernel label is what they reported. Rank 0 sends each epoch's weights
      // only when a hook (averaging, checkpoints) asks for them.
      const onEpochEnd = averagingHook(average, opts.epochs - averageEpochs, opts.onEpochEnd);
      memberFits.push(await fitOnCluster(model, fitOn, {
        epochs: opts.epochs,
        ...(opts.resume ? { initialEpoch: opts.resume.initialEpoch } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(onEpochEnd ? { onEpochEnd } : {}),
      }, opts.cluster));
    } else {
      const gemmBefore = gemmStats();
      const onEpochEnd = averagingHook(average, opts.epochs - averageEpochs, opts.onEpochEnd);
      const fit = await model.fit(fitOn, {
        epochs: opts.epochs,
        ...(opts.resume ? { initialEpoch: opts.resume.initialEpoch } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(onEpochEnd ? { onEpochEnd } : {}),
        ...(opts.faultInjection ? { faultInjection: opts.faultInjection } : {}),
      });
      // The workers are threads of this process: its product counters say whether the BLAS did the steps' products.
      memberFits.push({ ...fit, trainingKernel: kernelWithGemmPath(fit.trainingKernel, gemmBefore) });
    }
    if (average) {
      if (average.count !== averageEpochs) throw new Error(`trainFold: ${average.count} epochs' weights to average, expected ${averageEpochs}`);
      model.setFlatWeights(average.mean());
    }
    trainParts.push(await model.predict(train.x, train.count));
    testParts.push(test.count > 0 ? await model.predict(test.x, test.count) : new Float32Array(0));
  }
  // memberMean is meanProbabilities' arithmetic: float32 sums in member order, one division.
  const combine = memberCombine(opts.combine ?? "mean");
  const trainProbs = smoothScores(combine(trainParts, train.count), train, opts.smooth);
  const threshold = clampThreshold(chooseSequenceThreshold(trainProbs, train, { criterion: "youden", split: "train", midpoint: opts.thresholdMidpoint ?? "probability" }));
  const testProbs = test.count > 0 ? smoothScores(combine(testParts, test.count), test, opts.smooth) : new Float32Array(0);
  return { models, fit: memberFits[0], memberFits, threshold, trainProbs, testProbs, trainMembers: trainParts, testMembers: testParts };
}

/** Free a trained fold's members once their weights are saved or scored (a run trains folds × members models). */
export function disposeMembers(result: Pick<TrainFoldResult, "models">): void {
  for (const m of result.models) m.dispose();
}

/** The epoch-end hook: the weights of epochs from `firstAveraged` on into `average`, then the caller's hook. */
function averagingHook(average: RunningMean | null, firstAveraged: number, then: EpochEndCallback | undefined): EpochEndCallback | undefined {
  if (!average) return then;
  return (end: EpochEnd) => {
    if (end.epoch >= firstAveraged) average.add(end.weights);
    return then?.(end);
  };
}

function specSeed(spec: ModelSpec): number {
  return spec.type === "rnn" ? resolveRnnOptions(spec.options).seed : resolveOriginalOptions(spec.options).seed;
}
