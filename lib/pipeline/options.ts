// The pipeline's options: one typed object, its defaults and its usage errors; commander turns the command
// line into raw flags (./command-line) and they are validated once, here (lib/cli only prints and exits).
import { DistributedConfig, LR_SCALINGS, LrScaling, MAX_WORKERS, Push, PUSHES, Sampling, SAMPLINGS, SYNC_MODES, SyncMode } from "../distributed/config";
import { checkDiffLags, DEFAULT_DIFF_LAGS } from "../data/windows";
import { DEFAULT_SMOOTH } from "../evaluate/smoothing";
import { ThresholdMidpoint, THRESHOLD_MIDPOINTS } from "../evaluate/threshold";
import { MEMBER_COMBINE_NAMES, MemberCombineName } from "../evaluate/member-combine";
import { DEFAULT_SECOND_WINDOW_LEVEL, DEFAULT_SECOND_WINDOW_RULE, SECOND_WINDOW_RULES, SecondWindowRule } from "../detect/second-window";
import { FlagSpec, parseRawFlags, RawFlags, refuseRepeats, StrictCommand } from "./command-line";
import { DetectorPreset, DETECTOR_PRESETS, PLAIN_ENSEMBLE, PresetKey, PRESET_FLAGS, presetFlags, presetValues, presetValueText, PRESET_KEYS, PRESET_WORDS, SECOND_WINDOW_DETAIL } from "./detector-preset";
import { UsageError } from "./usage-error";
import { applyModeRule, MODE_RULE_FLAGS, MODE_RULE_KEYS, ModeRuleKey } from "./mode-rules";
import type { ModelSpec } from "../model/spec";

export type ModelKind = "lstm" | "gru";
export type Mode = SyncMode;
export type Frequency = "epoch" | "batch";
/** urfd: the two URFD feature files (feature windows, the default model); dfcsv: the original project's token rows (the original preset). */
export type DataFormat = "urfd" | "dfcsv";

export interface PipelineOptions {
  format: DataFormat;
  data: string | null;
  /** Generated data instead of URFD (a demo; results say nothing about real falls). */
  synthetic: boolean;
  model: ModelKind;
  mode: Mode;
  /** null: the mode's own (batch for gradients, else epoch). */
  frequency: Frequency | null;
  /** With --frequency batch (weight and delta modes): exchange every syncEvery batches (local SGD); null: every batch. */
  syncEvery: number | null;
  workers: number;
  /** Mode gradients: how micro-batches are drawn ('shards': a cluster rank holds only its slots' rows). */
  sampling: Sampling;
  /** Mode gradients: micro-batches a global batch is cut into (null: max(8, workers)); 1..K workers train one model. */
  microBatches: number | null;
  /** Modes asynchronous and hogwild: push weight deltas (Elephas) or every batch's gradient to one shared Adam state. */
  push: Push;
  /** Modes asynchronous and hogwild: a push staler than this is dropped (null: no bound). */
  maxStaleness: number | null;
  /** Mode synchronous: average Adam's moments and step count with the weights at every exchange. */
  averageMoments: boolean;
  /** Mode synchronous: scale the learning rate with the workers (linear: Goyal et al. 2017; sqrt). */
  lrScaling: LrScaling;
  /** Epochs of linear warm-up to the scaled learning rate (needs lrScaling). */
  warmupEpochs: number;
  epochs: number;
  batchSize: number;
  window: number;
  stride: number;
  seed: number;
  smooth: number;
  /** Where each fold's threshold sits in its training recordings' gap around Youden's cut: the scores' midpoint in probability or in log-odds. */
  thresholdMidpoint: ThresholdMidpoint;
  /** Models per fold from different seeds, their probabilities averaged (1 = a single model). */
  ensemble: number;
  folds: number | null;
  out: string | null;
  /** none: worker threads of this process; mpi: an MPI job of --ranks ranks × --workers-per-rank threads (lib/cluster). */
  cluster: ClusterKind;
  hostfile: string | null;
  ranks: number | null;
  workersPerRank: number | null;
  /** What mpirun starts its daemons through instead of ssh (e.g. the simulated hosts' agent). */
  launchAgent: string | null;
  /** Subnet (CIDR) for MPI's traffic. */
  mpiNetwork: string | null;
  /** A folder every host sees: each rank reads its share from it instead of over MPI. */
  shareDir: string | null;
  /** Time-warped, rescaled copies of each training recording added to what the models fit on (0 = none; lib/data/augment.ts). */
  augment: number;
  /** Copies of each recording's first frame put in front of it, so windows end from its (T − N)th frame on (0 = none). */
  padStarts: number;
  /** Fall windows holding fewer falling rows than this are left out of what the models fit on (0 = none left out; lib/data/falling-rows.ts). */
  minFallingRows: number;
  /** Fit also on the windows at every frame holding 1..N falling frames of a training fall (0 = none; lib/pipeline/onset-fold.ts). */
  onsetWindows: number;
  /** Fit also on N more copies of each training window of a daily activity that holds its transition frames (label 0; 0 = none; lib/pipeline/transition-copies.ts). */
  adlTransitionCopies: number;
  /** Windows for the threshold, the evaluation and the detector every N frames (null = --stride); the models still fit every --stride. */
  scoreStride: number | null;
  /** Lags (frames) of the difference inputs: per lag, each feature's change over that many frames (F = 8 × (1 + lags)). */
  diffLags: number[];
  /** Each model's final weights: the mean of its weights at the end of its last N epochs (0 = the last epoch's; stochastic weight averaging). */
  averageEpochs: number;
  /**
   * A second ensemble a fold ("start models", trained with each recording's first frame repeated N times in front) scores a
   * stream's windows of T − N .. T − 1 real frames alone; full windows get both ensembles combined (0 = none; lib/detect/start-models.ts).
   */
  startModels: number;
  /**
   * A second whole detector a fold (main and start models) on windows of N frames, its start models padded so that both
   * score the same frames; a frame's two aligned scores are joined by the lower (an alarm needs both; null = none;
   * lib/detect/second-window.ts).
   */
  secondWindow: number | null;
  /** How --second-window joins a frame's two aligned scores: the lower, or the same alarms ranked by the mean log-odds where both agree. */
  secondWindowRule: SecondWindowRule;
  /** --second-window's alarms where the two aligned scores, each held this many frames (its maximum over them), join to the threshold (0 = none; joinHeld). */
  secondWindowHold: number;
  /** --second-window's second detector passes at this aligned score (0.5: its own threshold; lower: it confirms sooner and vetoes less). */
  secondWindowLevel: number;
  /** Also train --ensemble models of this recurrent type in every group (same seeds), scored with the --model ones (null = none). */
  secondModel: ModelKind | null;
  /** How a fold's member probabilities become one score a window (lib/evaluate/member-combine.ts). */
  combine: MemberCombineName;
  /** Units of each recurrent layer of a feature-window model, first layer first (two entries: two stacked layers). */
  units: number[];
  /** Dropout rate after the recurrent layers of a feature-window model (0: none). */
  dropout: number;
  /** Adam's learning rate of a feature-window model. */
  learningRate: number;
}

/** Models a fold trains in one group (the main ensemble, or the start models): --ensemble of each model type. */
export function membersPerGroup(o: Pick<PipelineOptions, "ensemble" | "secondModel">): number {
  return o.ensemble * (o.secondModel === null ? 1 : 2);
}

export type ClusterKind = "none" | "mpi";
/** Options added with --cluster: a run-state.json written before them lacks them (they take their defaults). */
const CLUSTER_KEYS: readonly (keyof PipelineOptions)[] = ["cluster", "hostfile", "ranks", "workersPerRank", "launchAgent", "mpiNetwork", "shareDir"];
/** Options added after run-state.json existed: a run written before them takes their defaults. */
const LATER_KEYS: readonly (keyof PipelineOptions)[] = [...CLUSTER_KEYS, "augment", "syncEvery", "averageMoments", "lrScaling", "warmupEpochs", "padStarts", "sampling", "push", "maxStaleness", "diffLags", "thresholdMidpoint", "minFallingRows", "onsetWindows", "scoreStride", "averageEpochs", "microBatches", "startModels", "adlTransitionCopies", "secondModel", "combine", "units", "dropout", "learningRate", "secondWindow", "secondWindowRule", "secondWindowHold", "secondWindowLevel"];

/** --units when not given: RNN_DEFAULTS' one layer (lib/model/rnn.ts; declared here so parsing the command line loads no tfjs). */
export const DEFAULT_UNITS = 32;
/** --dropout and --learning-rate when not given: RNN_DEFAULTS' (lib/model/rnn.ts), for the same reason. */
export const DEFAULT_DROPOUT = 0.3;
export const DEFAULT_LEARNING_RATE = 1e-3;
/** Most recurrent layers --units may stack. */
export const MAX_LAYERS = 4;
/** Largest layer --units and --grid-units take. */
const MAX_UNITS = 2048;

/**
 * The plain ensemble (--detector plain): the defaults until 2026-12-06, and what a run-state.json written before an
 * option existed takes for it.
 */
export const PLAIN_PIPELINE_OPTIONS: PipelineOptions = {
  format: "urfd",
  data: null,
  synthetic: false,
  model: "lstm",
  mode: "gradients",
  frequency: null,
  syncEvery: null,
  workers: 2,
  sampling: "global",
  microBatches: null,
  push: "deltas",
  maxStaleness: null,
  averageMoments: false,
  lrScaling: "none",
  warmupEpochs: 0,
  epochs: 30,
  batchSize: 64,
  window: 32,
  stride: 4,
  seed: 1,
  smooth: DEFAULT_SMOOTH,
  thresholdMidpoint: "probability",
  ensemble: PLAIN_ENSEMBLE,
  folds: null,
  out: null,
  cluster: "none",
  hostfile: null,
  ranks: null,
  workersPerRank: null,
  launchAgent: null,
  mpiNetwork: null,
  shareDir: null,
  augment: 0,
  padStarts: 0,
  minFallingRows: 0,
  onsetWindows: 0,
  adlTransitionCopies: 0,
  scoreStride: null,
  diffLags: [...DEFAULT_DIFF_LAGS],
  averageEpochs: 0,
  startModels: 0,
  secondWindow: null,
  secondWindowRule: DEFAULT_SECOND_WINDOW_RULE,
  secondWindowHold: 0,
  secondWindowLevel: DEFAULT_SECOND_WINDOW_LEVEL,
  secondModel: null,
  combine: "mean",
  units: [DEFAULT_UNITS],
  dropout: DEFAULT_DROPOUT,
  learningRate: DEFAULT_LEARNING_RATE,
};

/** The defaults: the plain ensemble's, with --detector deploy's ten options (lib/pipeline/detector-preset.ts). */
export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = { ...PLAIN_PIPELINE_OPTIONS, ...presetValues("deploy", PLAIN_PIPELINE_OPTIONS.model) };

/** Largest --ensemble: each member is a full training run, so more only multiplies the wall time. */
export const MAX_MEMBERS = 10;
/** --ensemble with --format dfcsv unless given: the original project trained one model. */
export const DFCSV_ENSEMBLE = 1;

export { UsageError };

interface OptionDoc {
  flag: string;
  key: keyof PipelineOptions;
  /** "" for a switch: it takes no value on the command line (stored as true/false). */
  arg: string;
  help: string;
  parse: (raw: string, flag: string) => PipelineOptions[keyof PipelineOptions];
}

const isSwitch = (doc: OptionDoc): boolean => doc.arg === "";

// A switch's value as stored in run-state.json.
function switchValue(raw: string, flag: string): boolean {
  if (raw !== "true" && raw !== "false") throw new UsageError(`${flag} takes no value`);
  return raw === "true";
}

function positiveInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`${flag} expects a positive integer, got "${raw}"`);
  }
  return Number(raw);
}

function nonNegativeInt(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} expects a non-negative integer, got "${raw}"`);
  return Number(raw);
}

/** A parser that also refuses values past `max`: sizes that would only fail later, deep in training, as a crash. */
function atMost(parse: (raw: string, flag: string) => number, max: number, why: string) {
  return (raw: string, flag: string): number => {
    const n = parse(raw, flag);
    if (n > max) throw new UsageError(`${flag} must be at most ${max} (${why}), got "${raw}"`);
    return n;
  };
}

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string, flag: string): T => {
    if (!(values as readonly string[]).includes(raw)) {
      throw new UsageError(`${flag} must be one of ${values.join("|")}, got "${raw}"`);
    }
    return raw as T;
  };
}

/** A comma-separated list of positive integers, increasing as makeWindows' checkDiffLags requires. */
function lagList(raw: string, flag: string): number[] {
  const lags = raw.split(",").map((v) => positiveInt(v.trim(), flag));
  try {
    return checkDiffLags(lags, flag);
  } catch {
    throw new UsageError(`${flag} expects increasing lags, got "${raw}"`);
  }
}

/** One recurrent layer's units (--units, --grid-units). */
const layerUnits = atMost(positiveInt, MAX_UNITS, "a layer's weights and Adam state are held per worker");

/** Units of the stacked recurrent layers, first first: 1..MAX_LAYERS positive integers. */
function unitsList(raw: string, flag: string): number[] {
  const units = raw.split(",").map((v) => layerUnits(v.trim(), flag));
  if (units.length > MAX_LAYERS) throw new UsageError(`${flag} lists at most ${MAX_LAYERS} layers, got ${units.length} ("${raw}")`);
  return units;
}

/** A number (1e-3 allowed) from `min` to `max`, the end named by `open` left out. */
function numberIn(interval: { min: number; max: number; open: "min" | "max" }, what: string) {
  const { min, max, open } = interval;
  return (raw: string, flag: string): number => {
    const n = raw.trim() === "" ? NaN : Number(raw);
    const inside = open === "min" ? n > min && n <= max : n >= min && n < max;
    if (!Number.isFinite(n) || !inside) throw new UsageError(`${flag} expects ${what}, got "${raw}"`);
    return n;
  };
}

/** Options that shape feature-window models or inputs, in the order they are checked, with why --format dfcsv (the original preset) refuses each. */
const FEATURE_WINDOW_ONLY: readonly [keyof PipelineOptions, string][] = [
  ["units", "--units sizes feature-window models: --format dfcsv trains the original preset (3 x RNN(256))"],
  ["dropout", "--dropout sets feature-window models: --format dfcsv trains the original preset with its own dropout and learning rate"],
  ["learningRate", "--learning-rate sets feature-window models: --format dfcsv trains the original preset with its own dropout and learning rate"],
  ["diffLags", "--diff-lags sets feature-window inputs: it works with --format urfd only"],
];

/** A feature-window model's spec from the run's options: the one place that decides which options reach every member (the pipeline's and the grid's). */
export function featureWindowSpec(o: Pick<PipelineOptions, "dropout" | "learningRate" | "seed">, kind: ModelKind, shape: { T: number; F: number }, units: readonly number[]): ModelSpec {
  return { type: "rnn", options: { kind, timesteps: shape.T, features: shape.F, units: [...units], dropout: o.dropout, learningRate: o.learningRate, seed: o.seed } };
}

/** One log line naming the member options that differ from the model's defaults (null when none does). */
export function memberOptionsNote(o: Pick<PipelineOptions, "units" | "dropout" | "learningRate">): string | null {
  const parts: string[] = [];
  if (!sameOptionValue(o.units, PLAIN_PIPELINE_OPTIONS.units)) {
    parts.push(`${o.units.length > 1 ? `${o.units.length} stacked recurrent layers of ${o.units.join(", ")} units` : `a recurrent layer of ${o.units[0]} units`} (--units ${o.units.join(",")})`);
  }
  if (o.dropout !== PLAIN_PIPELINE_OPTIONS.dropout) parts.push(`dropout ${o.dropout} (--dropout ${o.dropout})`);
  if (o.learningRate !== PLAIN_PIPELINE_OPTIONS.learningRate) parts.push(`learning rate ${o.learningRate} (--learning-rate ${o.learningRate})`);
  return parts.length ? `members: ${parts.join(", ")} in every member` : null;
}

/** Two option values alike (lists by their items). */
export function sameOptionValue(a: unknown, b: unknown): boolean {
  return Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;
}

const text = (raw: string, flag: string): string => {
  if (raw === "") throw new UsageError(`${flag} expects a value`);
  return raw;
};

const OPTIONS: OptionDoc[] = [
  { flag: "--format", key: "format", arg: "urfd|dfcsv", help: "urfd: URFD feature files, feature windows, the default model; dfcsv: the original project's df.csv (posture tokens then label, see npm run derive-dfcsv), the original preset (Embedding + 3 x RNN(256)); --window/--stride then come from the file", parse: oneOf<DataFormat>(["urfd", "dfcsv"]) },
  { flag: "--data", key: "data", arg: "DIR|FILE", help: "folder holding urfall-cam0-falls.csv and urfall-cam0-adls.csv (default: FALL_DATA_DIR, else the shipped data/urfd, else ../shared/data/urfd); with --format dfcsv, the df.csv file (required)", parse: text },
  { flag: "--synthetic", key: "synthetic", arg: "", help: "train and evaluate on generated data instead of URFD (a quick demo: results say nothing about real falls)", parse: switchValue },
  { flag: "--model", key: "model", arg: "lstm|gru", help: "recurrent layer type", parse: oneOf<ModelKind>(["lstm", "gru"]) },
  { flag: "--mode", key: "mode", arg: SYNC_MODES.join("|"), help: "data-parallel update rule: gradients = average gradients every global batch, one Adam step everywhere (1 to --micro-batches workers, default 8, train the same model); synchronous = average weights (Elephas's mode; unless given, --frequency batch --lr-scaling linear --warmup-epochs 2); asynchronous/hogwild = push to a store with/without a lock (unless given: asynchronous --push gradients, hogwild --frequency batch); those rules held the 1-worker quality at 8 workers, Elephas's plain ones lost it (docs/scaling.md)", parse: oneOf<Mode>(SYNC_MODES) },
  { flag: MODE_RULE_FLAGS.frequency, key: "frequency", arg: "epoch|batch", help: "when workers exchange weights or deltas (synchronous/asynchronous/hogwild; gradients always every batch)", parse: oneOf<Frequency>(["epoch", "batch"]) },
  { flag: "--sync-every", key: "syncEvery", arg: "H", help: "with --frequency batch: exchange every H batches instead of every batch (local SGD; synchronous/asynchronous/hogwild)", parse: positiveInt },
  { flag: "--workers", key: "workers", arg: "N", help: `worker threads (at most ${MAX_WORKERS})`, parse: (raw, flag) => {
    const n = positiveInt(raw, flag);
    if (n > MAX_WORKERS) throw new UsageError(`${flag} expects at most ${MAX_WORKERS}, got ${n}`);
    return n;
  } },
  { flag: "--sampling", key: "sampling", arg: SAMPLINGS.join("|"), help: "with --mode gradients: global = one shuffle of all rows an epoch (every worker and rank maps all rows); shards = one shard of the rows per micro-batch slot (a cluster rank holds only its slots' rows); each trains one model at 1 to --micro-batches workers; the two are two random draws", parse: oneOf<Sampling>(SAMPLINGS) },
  { flag: "--micro-batches", key: "microBatches", arg: "K", help: "with --mode gradients: cut each global batch into K micro-batches, one gradient each, summed in a fixed order (default max(8, workers in all)); every count of 1 to K workers, threads or ranks x threads, then trains the same model bit for bit, so give the most workers you will compare", parse: positiveInt },
  { flag: MODE_RULE_FLAGS.push, key: "push", arg: PUSHES.join("|"), help: "with --mode asynchronous or hogwild: deltas = a worker trains with its own Adam and pushes its weights' change (Elephas); gradients = every batch a worker pushes its gradient, applied with one shared Adam state (Downpour SGD; every batch; across MPI ranks one Adam state a rank, and the ranks push their weights' change to rank 0)", parse: oneOf<Push>(PUSHES) },
  { flag: "--max-staleness", key: "maxStaleness", arg: "S", help: "with --mode asynchronous or hogwild: drop a push when more than S others landed since its worker read the weights (the worker reads again; drops are counted in metrics.json training.staleness; default: no bound)", parse: nonNegativeInt },
  { flag: "--average-moments", key: "averageMoments", arg: "", help: "with --mode synchronous: average Adam's moments and step count with the weights at every exchange, every worker continuing from the average (default: each keeps its own, as Elephas)", parse: switchValue },
  { flag: MODE_RULE_FLAGS.lrScaling, key: "lrScaling", arg: LR_SCALINGS.join("|"), help: "with --mode synchronous: learning rate × workers (linear, Goyal et al. 2017) or × √workers (sqrt); none = Elephas", parse: oneOf<LrScaling>(LR_SCALINGS) },
  { flag: MODE_RULE_FLAGS.warmupEpochs, key: "warmupEpochs", arg: "E", help: "with --lr-scaling: reach the scaled learning rate by a linear warm-up over the first E epochs (fewer than --epochs)", parse: nonNegativeInt },
  { flag: "--epochs", key: "epochs", arg: "N", help: "training epochs", parse: atMost(positiveInt, 100_000, "the epoch histories are held in memory") },
  { flag: "--batch-size", key: "batchSize", arg: "N", help: "rows a training step: the global batch split between workers with --mode gradients, per worker otherwise", parse: atMost(positiveInt, 65_536, "a batch's buffers are allocated whole") },
  { flag: "--window", key: "window", arg: "T", help: "frames per window", parse: positiveInt },
  { flag: "--stride", key: "stride", arg: "S", help: "frames between window starts", parse: positiveInt },
  { flag: "--seed", key: "seed", arg: "N", help: "seed for splits, initialisation and shuffles", parse: atMost(nonNegativeInt, 2 ** 31 - 1, "members' seeds S + 10k stay 32-bit") },
  { flag: PRESET_FLAGS.smooth, key: "smooth", arg: "K", help: "alarm on the mean of the last K window scores of a recording (1 = raw window scores)", parse: positiveInt },
  { flag: PRESET_FLAGS.thresholdMidpoint, key: "thresholdMidpoint", arg: THRESHOLD_MIDPOINTS.join("|"), help: "where each fold's threshold sits between the two training recordings' scores around its cut (Youden's J): their midpoint in probability, or in log-odds (nearer the falls when the training recordings are far apart)", parse: oneOf<ThresholdMidpoint>(THRESHOLD_MIDPOINTS) },
  { flag: "--ensemble", key: "ensemble", arg: "N", help: `train N models per fold (N of each type with --second-model, in each group with --start-models) from seeds S, S+10, ..., scored together as --combine says (at most ${MAX_MEMBERS}; N > 1 trains N times as long, and --resume then restarts the interrupted fold; --format dfcsv defaults to ${DFCSV_ENSEMBLE}, the original's one model)`, parse: (raw, flag) => {
    const n = positiveInt(raw, flag);
    if (n > MAX_MEMBERS) throw new UsageError(`${flag} expects at most ${MAX_MEMBERS}, got ${n}`);
    return n;
  } },
  { flag: "--folds", key: "folds", arg: "K", help: "grouped K-fold cross-validation (every sequence predicted once, out of fold); K >= 2", parse: (raw, flag) => {
    const k = positiveInt(raw, flag);
    if (k < 2) throw new UsageError(`${flag} expects K >= 2, got ${k}`);
    return k;
  } },
  { flag: "--augment", key: "augment", arg: "N", help: "add N time-warped (speed x0.8..x1.25), rescaled (±10%) copies of each training recording to what the models fit on (the scaler and threshold still come from the real windows)", parse: atMost(nonNegativeInt, 50, "each copy adds a whole training set to memory") },
  { flag: "--min-falling-rows", key: "minFallingRows", arg: "N", help: "leave the fall windows holding fewer than N falling frames out of what the models fit on (the threshold and the evaluation keep every window)", parse: nonNegativeInt },
  { flag: "--onset-windows", key: "onsetWindows", arg: "N", help: "also fit on the windows at every frame (not only every --stride) that hold 1..N falling frames of a training fall (the threshold and the evaluation keep the --stride grid)", parse: nonNegativeInt },
  { flag: "--adl-transition-copies", key: "adlTransitionCopies", arg: "N", help: "also fit on N more copies of each training window of a daily activity that holds its annotated transition (label 0: the person going down on purpose, the negatives most like a fall); the threshold and the evaluation keep every window once", parse: atMost(nonNegativeInt, 10, "each copy adds those windows to every epoch again") },
  { flag: PRESET_FLAGS.scoreStride, key: "scoreStride", arg: "N", help: "score windows every N frames (a divisor of --stride) for the threshold, the evaluation and the saved detector, while the models fit on windows every --stride frames (e.g. 1: a detector that scores every frame)", parse: positiveInt },
  { flag: "--pad-starts", key: "padStarts", arg: "N", help: "repeat each recording's first frame N times in front of it, so windows (training, threshold and test) end from its (T-N)th frame on; N < --window", parse: nonNegativeInt },
  { flag: PRESET_FLAGS.startModels, key: "startModels", arg: "N", help: "also train a second ensemble a fold with each recording's first frame repeated N times in front (start models): they alone score a stream's windows of T-N..T-1 real frames, against their own threshold; every full window gets both ensembles combined (their mean, or --combine), against that score's own threshold (N < --window; twice the training, and no epoch checkpoints: an interrupted fold restarts; needs --smooth 1 and no --pad-starts, --augment, --min-falling-rows, --onset-windows or --grid)", parse: nonNegativeInt },
  { flag: PRESET_FLAGS.secondWindow, key: "secondWindow", arg: "N|none", help: "also train a second whole detector a fold (main and start models, the same members) on windows of N frames, its start models padded with N - --window more copies so both detectors score the same frames; a frame's score joins the two aligned scores as --second-window-rule says: an alarm needs both (N > --window; needs --start-models; twice the training and the scoring; issue 15's 24th and 28th rounds; none: one detector)", parse: (raw, flag) => (raw === "none" ? null : positiveInt(raw, flag)) },
  { flag: "--second-window-rule", key: "secondWindowRule", arg: SECOND_WINDOW_RULES.join("|"), help: "how --second-window joins a frame's two aligned scores: min, the lower; min-agree, the same alarms, each score the two detectors' mean log-odds where both sit on one side of the threshold (a ranking by both: window and recording AUCs change, nothing else; issue 15's 25th round); min-agree-mean, min-agree's alarms, the mean log-odds held below the threshold where the two disagree too (29th round)", parse: oneOf<SecondWindowRule>(SECOND_WINDOW_RULES) },
  { flag: PRESET_FLAGS.secondWindowHold, key: "secondWindowHold", arg: "K", help: "--second-window raises an alarm where the two aligned scores, each held K frames (its highest over the frame and the K before), join to the threshold, and lifts such a frame's score to the threshold, no higher: two detectors on different windows cross a few frames apart (0 = none; issue 15's 26th round: 6)", parse: nonNegativeInt },
  { flag: PRESET_FLAGS.secondWindowLevel, key: "secondWindowLevel", arg: "L", help: "--second-window's second detector passes at this aligned score instead of its threshold's 0.5 (0.45: at 0.9 of its threshold): it confirms sooner and vetoes less; the first detector's threshold stays (issue 15's 28th round)", parse: numberIn({ min: 0, max: 0.5, open: "min" }, "an aligned score in (0, 0.5]") },
  { flag: PRESET_FLAGS.secondModel, key: "secondModel", arg: "lstm|gru|none", help: "also train --ensemble models of this recurrent type a fold (and a start-model group), from the same seeds, after the --model ones; the detector scores with all of them (none: only --model)", parse: (raw, flag) => {
    const kind = oneOf<ModelKind | "none">(["lstm", "gru", "none"])(raw, flag);
    return kind === "none" ? null : kind;
  } },
  { flag: PRESET_FLAGS.combine, key: "combine", arg: MEMBER_COMBINE_NAMES.join("|"), help: "how a fold's member probabilities become one score a window: their mean, or the probability of their mean log-odds (a confident member outweighs a timid one); the threshold is chosen on that score", parse: oneOf<MemberCombineName>(MEMBER_COMBINE_NAMES) },
  { flag: "--units", key: "units", arg: "N[,N]", help: "units of the recurrent layer of a feature-window model (N,N: layers stacked, the first returning every step to the next; every member of every group; --grid takes --grid-units)", parse: unitsList },
  { flag: "--dropout", key: "dropout", arg: "R", help: "dropout rate between the recurrent layers and the classifier of a feature-window model, in training (0: none)", parse: numberIn({ min: 0, max: 1, open: "max" }, "a rate in [0, 1)") },
  { flag: "--learning-rate", key: "learningRate", arg: "LR", help: "Adam's learning rate of a feature-window model (--lr-scaling scales it with the workers)", parse: numberIn({ min: 0, max: 1, open: "min" }, "a positive number up to 1") },
  { flag: "--diff-lags", key: "diffLags", arg: "L,L", help: "lags (frames) of the difference inputs: per lag, each of the 8 features' change over that many frames, per frame (a long lag carries the context before the window)", parse: lagList },
  { flag: "--average-epochs", key: "averageEpochs", arg: "N", help: "each model's final weights are the mean of its weights at the end of its last N epochs (stochastic weight averaging; 0: the last epoch's); on threads or an MPI job (rank 0 then sends each epoch's weights to this process)", parse: nonNegativeInt },
  { flag: "--out", key: "out", arg: "DIR", help: "output folder (default runs/<timestamp>)", parse: text },
  { flag: "--cluster", key: "cluster", arg: "none|mpi", help: "mpi: train on an MPI job this run starts with mpirun (--ranks ranks × --workers-per-rank threads; see docs/cluster.md)", parse: oneOf<ClusterKind>(["none", "mpi"]) },
  { flag: "--hostfile", key: "hostfile", arg: "FILE", help: "Open MPI hostfile for --cluster mpi (\"host slots=N\" a line; default: every rank on this machine)", parse: text },
  { flag: "--ranks", key: "ranks", arg: "R", help: "MPI ranks for --cluster mpi", parse: positiveInt },
  { flag: "--workers-per-rank", key: "workersPerRank", arg: "K", help: "worker threads in each rank for --cluster mpi (default 1)", parse: (raw, flag) => {
    const n = positiveInt(raw, flag);
    if (n > MAX_WORKERS) throw new UsageError(`${flag} expects at most ${MAX_WORKERS}, got ${n}`);
    return n;
  } },
  { flag: "--launch-agent", key: "launchAgent", arg: "FILE", help: "program mpirun reaches other hosts through instead of ssh (--mca plm_rsh_agent)", parse: text },
  { flag: "--mpi-network", key: "mpiNetwork", arg: "CIDR", help: "subnet MPI's TCP traffic must use, e.g. 10.0.0.0/24", parse: text },
  { flag: "--share-dir", key: "shareDir", arg: "DIR", help: "a folder every host sees at this path (e.g. NFS): each rank reads its share of the windows from it instead of receiving it over MPI", parse: text },
];

/** Each mode-rule option's default in words: it depends on --mode (lib/pipeline/mode-rules.ts). */
const MODE_RULE_DEFAULT_WORDS: Record<ModeRuleKey, string> = {
  frequency: "batch with --mode synchronous or hogwild, epoch with asynchronous --push deltas, always batch with gradients",
  push: "gradients with --mode asynchronous unless --frequency or --sync-every is given, else deltas",
  lrScaling: "linear with --mode synchronous",
  warmupEpochs: "2 with --mode synchronous and a scaled rate (at most --epochs - 1), else 0",
};

/** The flags of `pipeline`, in the order its help lists them, each help ending in its default. */
export function pipelineFlags(): FlagSpec[] {
  const suffix = (o: OptionDoc): string => {
    if ((PRESET_KEYS as readonly string[]).includes(o.key)) return ` [default: ${presetDefaultWords(o.key as PresetKey)}]`;
    if ((MODE_RULE_KEYS as readonly string[]).includes(o.key)) return ` [default: ${MODE_RULE_DEFAULT_WORDS[o.key as ModeRuleKey]}]`;
    const def = DEFAULT_PIPELINE_OPTIONS[o.key];
    return def === null || isSwitch(o) ? "" : ` [default: ${def}]`;
  };
  return [
    {
      flag: "--detector",
      arg: DETECTOR_PRESETS.join("|"),
      help: `which detector a run trains; each sets ${PRESET_KEYS.map((k) => PRESET_FLAGS[k]).join(", ").replace(/, ([^,]*)$/, " and $1")} unless given. deploy: ${PRESET_WORDS.deploy}; plain: ${PRESET_WORDS.plain} [default: deploy; plain with --format dfcsv or --grid; --resume: the run's own]`,
    },
    ...OPTIONS.map((o) => ({ flag: o.flag, ...(isSwitch(o) ? {} : { arg: o.arg }), help: `${o.help}${suffix(o)}` })),
    {
      flag: "--resume",
      arg: "DIR",
      help:
        "continue an interrupted run from its staging folder <out>.partial (or <out>): its options are read from run-state.json there (options given again must match), " +
        "completed folds are kept, the current fold restarts from its last epoch checkpoint (with one model a fold: --ensemble 1, no --start-models, no --second-model, as --detector plain --ensemble 1; a fold of several models restarts from its first) (weights only: each worker's Adam state starts afresh)",
    },
    {
      flag: "--grid",
      help: `grid search instead of one run: every combination of the --grid-* lists, each scored by grouped K-fold cross-validation on the same folds (--folds, default ${DEFAULT_GRID_FOLDS}); writes <out>/grid.json and grid.md, sorted by sequence F1 then window AUC`,
    },
    ...GRID_LISTS.map((d) => ({ flag: d.flag, arg: d.arg, help: `${d.help}; needs --grid` })),
    { flag: "--quiet", help: "no training progress (default: a live bar per fold and member on a terminal, else a line every few epochs)" },
  ];
}

/** A preset option's default in words: deploy's value, then plain's. */
function presetDefaultWords(key: PresetKey): string {
  const deploy = key === "secondModel" ? "the other type of --model" : presetValueText(key, presetValues("deploy", "lstm")[key]);
  return `${deploy}; --detector plain: ${presetValueText(key, presetValues("plain", "lstm")[key])}`;
}

/** The `pipeline` command as declared to commander (lib/cli adds what it does). */
export function pipelineCommandLine(): StrictCommand {
  return new StrictCommand("pipeline")
    .summary("train and evaluate on URFD (K folds, ensembles, grid search, --cluster mpi)")
    .description("Load URFD -> window -> split -> train data-parallel -> evaluate; writes metrics.json, report.html, the model and Arrow artifacts.")
    .flags(pipelineFlags());
}

/** The generated help of `pipeline`, as --help prints it when piped. */
export function pipelineHelp(): string {
  return pipelineCommandLine().helpInformation();
}


/** The points of a --grid search: every combination of these lists (each list non-empty, no repeats). */
export interface GridSpec {
  models: ModelKind[];
  units: number[];
  epochs: number[];
  batchSizes: number[];
}

/** Folds of a grid search when --grid is given without --folds. */
export const DEFAULT_GRID_FOLDS = 3;
/** Units of the one recurrent layer when --grid-units is absent. */
export const DEFAULT_GRID_UNITS = DEFAULT_UNITS;

interface GridListDoc {
  flag: string;
  key: keyof GridSpec;
  arg: string;
  help: string;
  parse: (raw: string, flag: string) => ModelKind | number;
}

const GRID_LISTS: GridListDoc[] = [
  { flag: "--grid-model", key: "models", arg: "lstm,gru", help: "models to try (default: --model)", parse: oneOf<ModelKind>(["lstm", "gru"]) },
  { flag: "--grid-units", key: "units", arg: "N,N", help: `units of the one recurrent layer (default: ${DEFAULT_GRID_UNITS})`, parse: layerUnits },
  { flag: "--grid-epochs", key: "epochs", arg: "N,N", help: "training epochs to try (default: --epochs)", parse: atMost(positiveInt, 100_000, "the epoch histories are held in memory") },
  { flag: "--grid-batch-size", key: "batchSizes", arg: "N,N", help: "batch sizes to try (default: --batch-size)", parse: atMost(positiveInt, 65_536, "a batch's buffers are allocated whole") },
];

/** Parse a comma-separated --grid-* list, each value checked like the single option. */
function parseGridList(doc: GridListDoc, raw: string): (ModelKind | number)[] {
  const values = raw.split(",").map((v) => doc.parse(v.trim(), doc.flag));
  refuseRepeats(doc.flag, values);
  return values;
}

/** What the command line asks for; `given` lists the options set explicitly (to check against a resumed run). */
/** `quiet` (--quiet): no training progress (it is not a run option: a resumed run may differ). */
export type PipelineCommand =
  | { kind: "help" }
  | ({ quiet: boolean } & (
      | { kind: "run"; options: PipelineOptions; given: (keyof PipelineOptions)[] }
      | { kind: "resume"; dir: string; options: PipelineOptions; given: (keyof PipelineOptions)[] }
      | { kind: "grid"; options: PipelineOptions; grid: GridSpec; given: (keyof PipelineOptions)[] }
    ));

/** Parse argv (without node and script), --resume included: commander tokenizes, pipelineCommandFromFlags validates. */
export function parsePipelineCommand(argv: readonly string[]): PipelineCommand {
  const raw = parseRawFlags(pipelineCommandLine(), argv);
  return raw === "help" ? { kind: "help" } : pipelineCommandFromFlags(raw);
}

/** Check the flags the command line gave (raw texts, in order) once, here. Throws UsageError on anything wrong. */
export function pipelineCommandFromFlags(raw: RawFlags): Exclude<PipelineCommand, { kind: "help" }> {
  let resume: string | null = null;
  let gridAsked = false;
  let quiet = false;
  let detector: DetectorPreset | null = null;
  const lists: Partial<Record<keyof GridSpec, (ModelKind | number)[]>> = {};
  const parsed: PipelineOptions = { ...DEFAULT_PIPELINE_OPTIONS };
  const given: (keyof PipelineOptions)[] = [];
  for (const [flag, value] of raw) {
    const rawText = value === true ? "true" : value;
    const listDoc = GRID_LISTS.find((d) => d.flag === flag);
    const doc = OPTIONS.find((o) => o.flag === flag);
    if (flag === "--quiet") quiet = true;
    else if (flag === "--grid") gridAsked = true;
    else if (flag === "--resume") resume = text(rawText, flag);
    else if (flag === "--detector") detector = oneOf(DETECTOR_PRESETS)(rawText, flag);
    else if (listDoc) lists[listDoc.key] = parseGridList(listDoc, rawText);
    else if (doc) {
      (parsed as unknown as Record<string, unknown>)[doc.key] = doc.parse(rawText, flag);
      given.push(doc.key);
    } else throw new UsageError(`unknown option "${flag}" (see --help)`);
  }
  const windowOnly = FEATURE_WINDOW_ONLY.find(([key]) => given.includes(key));
  if (windowOnly && parsed.format === "dfcsv") throw new UsageError(windowOnly[1]);
  const listed = GRID_LISTS.filter((d) => lists[d.key]);
  if (!gridAsked && listed.length) throw new UsageError(`${listed[0].flag} needs --grid`);
  if (resume !== null && detector !== null) throw new UsageError("--resume continues a run with its own detector (run-state.json): drop --detector");
  // --format dfcsv's own one model stands as if given: the preset leaves it, and no clash is blamed on the preset.
  if (parsed.format === "dfcsv" && !given.includes("ensemble")) parsed.ensemble = DFCSV_ENSEMBLE;
  const kept: (keyof PipelineOptions)[] = parsed.format === "dfcsv" ? [...given, "ensemble"] : given;
  const filled = applyDetectorPreset(parsed, kept, detector, { grid: gridAsked });
  // The mode's rule fills only options of its own, which no preset sets: a clash with them is the flags' own.
  applyModeRule(parsed, given);
  // A resumed run's options are its run-state.json's (checked when it was started); what is given must equal them.
  if (resume === null) checkWithPreset(parsed, filled, detector);
  if (!gridAsked && resume === null && parsed.format === "dfcsv" && parsed.data === null) {
    throw new UsageError("--format dfcsv needs --data FILE (a df.csv; make one with npm run derive-dfcsv)");
  }
  checkClusterOptions(parsed, given);
  if (gridAsked) {
    if (parsed.cluster !== "none") throw new UsageError("--grid trains on this machine's threads: it cannot be combined with --cluster");
    if (parsed.format === "dfcsv") throw new UsageError("--grid searches feature-window models: it cannot be combined with --format dfcsv");
    if (resume !== null) throw new UsageError("--grid cannot be combined with --resume (a grid search is not resumable)");
    if (given.includes("ensemble")) throw new UsageError("--grid scores single models: it cannot be combined with --ensemble");
    if (given.includes("units")) throw new UsageError("--grid sizes its models with --grid-units: it cannot be combined with --units");
    if (parsed.startModels > 0) throw new UsageError("--grid scores single models: it cannot be combined with --start-models");
    if (parsed.adlTransitionCopies > 0) throw new UsageError("--grid fits on the training windows as they are: it cannot be combined with --adl-transition-copies");
    if (parsed.secondModel !== null || parsed.combine !== "mean") throw new UsageError("--grid scores single models: it cannot be combined with --second-model or --combine");
    const options: PipelineOptions = { ...parsed, folds: parsed.folds ?? DEFAULT_GRID_FOLDS, ensemble: 1 };
    const grid: GridSpec = {
      models: (lists.models as ModelKind[] | undefined) ?? [options.model],
      units: (lists.units as number[] | undefined) ?? [DEFAULT_GRID_UNITS],
      epochs: (lists.epochs as number[] | undefined) ?? [options.epochs],
      batchSizes: (lists.batchSizes as number[] | undefined) ?? [options.batchSize],
    };
    if (options.averageEpochs > Math.min(...grid.epochs)) throw new UsageError(`--average-epochs must be at most every --grid-epochs value (${Math.min(...grid.epochs)}), got ${options.averageEpochs}`);
    if (options.microBatches !== null && options.microBatches > Math.min(...grid.batchSizes)) throw new UsageError(`--micro-batches must be at most every --grid-batch-size value (${Math.min(...grid.batchSizes)}): a micro-batch needs a row, got ${options.microBatches}`);
    return { kind: "grid", options, grid, given, quiet };
  }
  return resume === null ? { kind: "run", options: parsed, given, quiet } : { kind: "resume", dir: resume, options: parsed, given, quiet };
}

/** The usage error `o` fails the command line's checks with (null: none). */
function failure(o: PipelineOptions): UsageError | null {
  try {
    checkCombination(o);
    return null;
  } catch (err) {
    if (err instanceof UsageError) return err;
    throw err;
  }
}

/**
 * checkCombination, and where a value the preset filled in takes part in a clash, the error says so: the filled
 * options the message names (and then those the next message names once these take their plain values), or, when
 * none is named, every filled option if their plain values pass.
 */
function checkWithPreset(parsed: PipelineOptions, filled: Partial<PipelineOptions>, detector: DetectorPreset | null): void {
  const err = failure(parsed);
  if (err === null) return;
  const filledKeys = Object.keys(filled) as PresetKey[];
  const plain = presetValues("plain", parsed.model);
  const culprits: PresetKey[] = [];
  const trial: PipelineOptions = { ...parsed };
  for (let message: string | null = err.message; message !== null; ) {
    const named = filledKeys.filter((k) => !culprits.includes(k) && message!.includes(optionFlag(k)));
    if (!named.length) break;
    culprits.push(...named);
    for (const k of named) (trial as unknown as Record<string, unknown>)[k] = plain[k];
    // The filled second window needs the start models: with theirs taken back it goes too, unblamed.
    if (trial.startModels === 0 && "secondWindow" in filled && !culprits.includes("secondWindow")) trial.secondWindow = null;
    if (trial.secondWindow === null) secondWindowOff(trial, { ...filled });
    message = failure(trial)?.message ?? null;
  }
  if (!culprits.length && failure({ ...parsed, ...pick(plain, filledKeys) }) === null) culprits.push(...filledKeys);
  if (!culprits.length) throw err;
  const them = culprits.length === 1 ? "it" : "them";
  const other: DetectorPreset = detector === "plain" ? "deploy" : "plain";
  throw new UsageError(`${err.message} (${detector === null ? "the default " : ""}--detector ${detector ?? "deploy"} gives ${presetFlags(pick(filled, culprits))}; give ${them} another value, or ${detector === null ? "add" : "use"} --detector ${other})`);
}

const pick = <T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> => Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;

/**
 * Fill the preset's options that were not given (in place) and return them. No --detector: plain for --format dfcsv,
 * --grid and --resume (a resumed run's options are its run-state.json's; these only carry what was given), else deploy.
 */
function applyDetectorPreset(parsed: PipelineOptions, given: (keyof PipelineOptions)[], detector: DetectorPreset | null, o: { grid: boolean }): Partial<PipelineOptions> {
  if (detector === "deploy" && parsed.format === "dfcsv") throw new UsageError("--detector deploy trains feature-window models: it works with --format urfd only (give --detector plain or leave it out)");
  if (detector === "deploy" && o.grid) throw new UsageError("--grid scores single models: it cannot be combined with --detector deploy");
  const preset = detector ?? (parsed.format === "dfcsv" || o.grid ? "plain" : "deploy");
  const values = presetValues(preset, parsed.model);
  const filled: Partial<PipelineOptions> = {};
  for (const key of PRESET_KEYS) {
    if (given.includes(key)) continue;
    (parsed as unknown as Record<string, unknown>)[key] = values[key];
    (filled as Record<string, unknown>)[key] = values[key];
  }
  // With no second window (--second-window none) its hold and level are off, not the preset's values that clash with it.
  if (parsed.secondWindow === null) secondWindowOff(parsed, filled);
  return filled;
}

/** Turn the hold and level of an absent second window off where they are not the caller's (`own` holds those). */
function secondWindowOff(o: PipelineOptions, own: Partial<PipelineOptions>): void {
  const off = presetValues("plain", o.model);
  for (const key of SECOND_WINDOW_DETAIL) {
    if (!(key in own)) continue;
    (o as unknown as Record<string, unknown>)[key] = off[key];
    delete own[key];
  }
}

/** The checks between options that hold however they came: from flags, or read back from a run's run-state.json. */
function checkCombination(o: PipelineOptions): void {
  if (o.synthetic && o.data !== null) throw new UsageError("--synthetic and --data exclude each other (generated data or a data folder)");
  if (o.synthetic && o.format === "dfcsv") throw new UsageError("--synthetic works with --format urfd only (for df.csv, derive one: npm run derive-dfcsv)");
  if (o.augment > 0 && o.format === "dfcsv") throw new UsageError("--augment warps feature recordings: it works with --format urfd only");
  if (o.padStarts > 0 && o.format === "dfcsv") throw new UsageError("--pad-starts pads feature recordings: it works with --format urfd only");
  if (o.minFallingRows > 0 && o.format === "dfcsv") throw new UsageError("--min-falling-rows counts annotated falling frames: it works with --format urfd only");
  if (o.minFallingRows === 1) throw new UsageError("--min-falling-rows 1 leaves nothing out (every fall window holds a falling frame): give 0 (off) or 2 or more");
  if (o.minFallingRows > o.window) throw new UsageError(`--min-falling-rows must be at most --window (${o.window}), got ${o.minFallingRows}`);
  if (o.minFallingRows > 0 && o.augment > 0) throw new UsageError("--min-falling-rows and --augment exclude each other (the augmented copies' windows are not counted)");
  if (o.onsetWindows > 0 && o.format === "dfcsv") throw new UsageError("--onset-windows counts annotated falling frames: it works with --format urfd only");
  if (o.onsetWindows > o.window) throw new UsageError(`--onset-windows must be at most --window (${o.window}), got ${o.onsetWindows}`);
  if (o.onsetWindows > 0 && (o.augment > 0 || o.minFallingRows > 0)) throw new UsageError("--onset-windows, --min-falling-rows and --augment exclude each other (each sets what the models fit on)");
  if (o.adlTransitionCopies > 0 && o.format === "dfcsv") throw new UsageError("--adl-transition-copies reads URFD's transition annotation: it works with --format urfd only");
  if (o.adlTransitionCopies > 0 && o.augment > 0) throw new UsageError("--adl-transition-copies and --augment exclude each other (the augmented copies' windows are not counted)");
  if (o.scoreStride !== null && o.format === "dfcsv") throw new UsageError("--score-stride cuts feature windows: it works with --format urfd only");
  if (o.scoreStride !== null && o.stride % o.scoreStride !== 0) throw new UsageError(`--score-stride must divide --stride (${o.stride}), got ${o.scoreStride}`);
  if (o.scoreStride !== null && (o.augment > 0 || o.minFallingRows > 0 || o.onsetWindows > 0)) throw new UsageError("--score-stride, --augment, --min-falling-rows and --onset-windows exclude each other (each sets what the models fit on)");
  if (o.averageEpochs > o.epochs) throw new UsageError(`--average-epochs must be at most --epochs (${o.epochs}), got ${o.averageEpochs}`);
  checkStartModels(o);
  checkSecondWindow(o);
  checkMembers(o);
  if (o.padStarts >= o.window) throw new UsageError(`--pad-starts must be less than --window (${o.window}), got ${o.padStarts}`);
  if (o.syncEvery !== null && o.mode === "gradients") throw new UsageError("--mode gradients averages gradients every batch: drop --sync-every");
  if (o.syncEvery !== null && o.frequency !== "batch") throw new UsageError("--sync-every needs --frequency batch");
  if (o.microBatches !== null && o.mode !== "gradients") throw new UsageError(`--micro-batches cuts the global batch of gradient averaging: it needs --mode gradients, not ${o.mode}`);
  if (o.microBatches !== null && o.microBatches > o.batchSize) throw new UsageError(`--micro-batches must be at most --batch-size (${o.batchSize}): a micro-batch needs a row, got ${o.microBatches}`);
  if (o.sampling !== "global" && o.mode !== "gradients") throw new UsageError(`--sampling draws the micro-batches of gradient averaging: it needs --mode gradients, not ${o.mode}`);
  if (o.push !== "deltas" && o.mode !== "asynchronous" && o.mode !== "hogwild") throw new UsageError(`--push chooses what asynchronous and hogwild workers push: it needs --mode asynchronous or hogwild, not ${o.mode}`);
  if (o.maxStaleness !== null && o.mode !== "asynchronous" && o.mode !== "hogwild") throw new UsageError(`--max-staleness bounds what asynchronous and hogwild workers push: it needs --mode asynchronous or hogwild, not ${o.mode}`);
  if (o.push === "gradients" && (o.frequency === "epoch" || o.syncEvery !== null)) throw new UsageError("--push gradients pushes every batch's gradient: drop --frequency epoch and --sync-every");
  if (o.averageMoments && o.mode !== "synchronous") throw new UsageError(`--average-moments averages Adam's state with the weights: it needs --mode synchronous, not ${o.mode}`);
  if (o.lrScaling !== "none" && o.mode !== "synchronous") throw new UsageError(`--lr-scaling applies to weight averaging: it needs --mode synchronous, not ${o.mode}`);
  if (o.warmupEpochs > 0 && o.lrScaling === "none") throw new UsageError("--warmup-epochs warms up a scaled learning rate: give --lr-scaling linear|sqrt too");
  if (o.warmupEpochs >= o.epochs) throw new UsageError(`--warmup-epochs ${o.warmupEpochs} must be fewer than --epochs ${o.epochs}`);
  if (o.mode === "gradients" && o.frequency === "epoch") {
    throw new UsageError("--mode gradients averages gradients every batch: drop --frequency epoch");
  }
  if (o.cluster !== "none") checkClusterCounts(o);
}

/** --start-models: feature windows, an unpadded main ensemble, unsmoothed scores (each group sits against its own threshold). */
function checkStartModels(o: PipelineOptions): void {
  if (o.startModels === 0) return;
  if (o.format === "dfcsv") throw new UsageError("--start-models pads feature recordings: it works with --format urfd only");
  if (o.startModels >= o.window) throw new UsageError(`--start-models must be less than --window (${o.window}), got ${o.startModels}`);
  if (o.padStarts > 0) throw new UsageError("--start-models pads the start models only: drop --pad-starts (the main ensemble sees full windows)");
  if (o.smooth !== 1) throw new UsageError(`--start-models scores each window against its group's own threshold: it needs --smooth 1, got ${o.smooth}`);
  if (o.augment > 0 || o.minFallingRows > 0 || o.onsetWindows > 0) throw new UsageError("--start-models cannot be combined with --augment, --min-falling-rows or --onset-windows (not measured)");
}

/** --second-window: a longer window beside a --start-models detector (its start models make both score a recording's first frames). */
function checkSecondWindow(o: PipelineOptions): void {
  if (o.secondWindow === null) {
    if (o.secondWindowRule !== DEFAULT_SECOND_WINDOW_RULE) throw new UsageError("--second-window-rule joins the two detectors of --second-window: give --second-window N too");
    if (o.secondWindowHold !== 0) throw new UsageError("--second-window-hold holds the two detectors of --second-window: give --second-window N too");
    if (o.secondWindowLevel !== DEFAULT_SECOND_WINDOW_LEVEL) throw new UsageError("--second-window-level sets the second detector of --second-window: give --second-window N too");
    return;
  }
  if (o.startModels === 0) throw new UsageError("--second-window joins two detectors frame by frame: it needs --start-models (their start models score a stream's first frames)");
  if (o.secondWindow <= o.window) throw new UsageError(`--second-window must be longer than --window (${o.window}), got ${o.secondWindow}`);
}

/** The second window's start models: padded so its first window ends on the frame the first detector's first window ends on. */
export function secondWindowStartModels(o: Pick<PipelineOptions, "startModels" | "window">, secondWindow: number): number {
  return o.startModels + secondWindow - o.window;
}

/** --second-model and --combine: feature-window models of two types, combined where a fold has more than one. */
function checkMembers(o: PipelineOptions): void {
  if (o.secondModel !== null && o.format === "dfcsv") throw new UsageError("--second-model adds feature-window models: it works with --format urfd only");
  if (o.secondModel !== null && o.secondModel === o.model) throw new UsageError(`--second-model must differ from --model (${o.model}): more models of one type are --ensemble`);
  if (o.combine !== "mean" && membersPerGroup(o) * (o.startModels > 0 ? 2 : 1) === 1) throw new UsageError(`--combine ${o.combine} combines a fold's models: it needs --ensemble 2 or more, --second-model or --start-models`);
}

/** --cluster mpi needs --ranks and takes --workers-per-rank instead of --workers; the cluster flags need --cluster mpi. */
function checkClusterOptions(o: PipelineOptions, given: (keyof PipelineOptions)[]): void {
  if (o.cluster === "none") {
    const stray = CLUSTER_KEYS.find((k) => k !== "cluster" && given.includes(k));
    if (stray) throw new UsageError(`${optionFlag(stray)} needs --cluster mpi`);
    return;
  }
  if (given.includes("workers")) throw new UsageError("--cluster mpi takes --workers-per-rank K (threads in each rank) instead of --workers");
}

/** --cluster mpi: the ranks are given, and a job has at least a micro-batch a worker. */
function checkClusterCounts(o: PipelineOptions): void {
  if (o.ranks === null) throw new UsageError("--cluster mpi needs --ranks R");
  // A job cuts at least one micro-batch a worker (lib/cluster/job.ts): a smaller count would be raised, not honoured.
  const jobWorkers = totalWorkers(o);
  if (o.microBatches !== null && o.microBatches < jobWorkers) throw new UsageError(`--micro-batches ${o.microBatches} is fewer than the job's ${jobWorkers} workers (--ranks x --workers-per-rank): an MPI job cuts at least one micro-batch a worker; give at least ${jobWorkers}`);
}

/** Parse argv (without node and script) to the run options only. Returns "help" when --help was asked for. */
export function parsePipelineArgs(argv: readonly string[]): PipelineOptions | "help" {
  const command = parsePipelineCommand(argv);
  return command.kind === "help" ? "help" : command.options;
}

/** The command-line flag of an option, e.g. "--batch-size" for batchSize. */
export function optionFlag(key: keyof PipelineOptions): string {
  return OPTIONS.find((o) => o.key === key)?.flag ?? key;
}

/**
 * Check an options object read back from disk (a resumed run's run-state.json) with the same
 * parsers as the command line; errors are one line prefixed with `where`.
 */
export function validateStoredOptions(value: unknown, where: string): PipelineOptions {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where}: options must be an object`);
  const o = value as Record<string, unknown>;
  const keys = Object.keys(DEFAULT_PIPELINE_OPTIONS) as (keyof PipelineOptions)[];
  const extra = Object.keys(o).filter((k) => !(keys as string[]).includes(k));
  if (extra.length) throw new Error(`${where}: unknown option(s) ${extra.join(", ")}`);
  // A key written before its option existed takes the value runs had then: the plain ensemble's.
  const out: PipelineOptions = { ...PLAIN_PIPELINE_OPTIONS };
  for (const key of keys) {
    const v = o[key];
    if (v === undefined && LATER_KEYS.includes(key)) continue;
    const doc = OPTIONS.find((d) => d.key === key)!;
    if (v === undefined && isSwitch(doc)) continue; // written before the switch existed: off
    if (v === null && PLAIN_PIPELINE_OPTIONS[key] === null) {
      (out as unknown as Record<string, unknown>)[key] = null;
      continue;
    }
    let parsed: unknown;
    try {
      const list = Array.isArray(v) && v.every((x) => typeof x === "number");
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && !list) throw new UsageError(`${doc.flag} is missing or not a value`);
      parsed = doc.parse(String(v), doc.flag);
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
    if (!sameOptionValue(parsed, v)) throw new Error(`${where}: ${doc.flag} holds ${JSON.stringify(v)}, not a ${typeof parsed}`);
    (out as unknown as Record<string, unknown>)[key] = parsed;
  }
  try {
    checkCombination(out);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
  return out;
}

/** The workers a run trains on in all: threads, or ranks × threads a rank. */
export function totalWorkers(o: Pick<PipelineOptions, "cluster" | "workers" | "ranks" | "workersPerRank">): number {
  return o.cluster === "mpi" ? (o.ranks ?? 1) * (o.workersPerRank ?? 1) : o.workers;
}

/** The update rule's part of the trainer config (mode, frequency and the weight-averaging remedies), only what was set. */
export function weightAveragingConfig(o: PipelineOptions): Pick<DistributedConfig, "mode" | "frequency" | "syncEvery" | "sampling" | "microBatches" | "push" | "maxStaleness" | "averageMoments" | "lrScaling" | "warmupEpochs"> {
  return {
    mode: o.mode,
    ...(o.microBatches !== null ? { microBatches: o.microBatches } : {}),
    ...(o.push !== "deltas" ? { push: o.push } : {}),
    ...(o.maxStaleness !== null ? { maxStaleness: o.maxStaleness } : {}),
    ...(o.sampling !== "global" ? { sampling: o.sampling } : {}),
    ...(o.frequency ? { frequency: o.frequency } : {}),
    ...(o.syncEvery !== null ? { syncEvery: o.syncEvery } : {}),
    ...(o.averageMoments ? { averageMoments: true } : {}),
    ...(o.lrScaling !== "none" ? { lrScaling: o.lrScaling } : {}),
    ...(o.warmupEpochs > 0 ? { warmupEpochs: o.warmupEpochs } : {}),
  };
}
