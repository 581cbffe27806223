// Trainer configuration, and the one place where modes and fit options are checked.
import { expectInt, expectNumber, expectObject, expectOneOf, Plain, rejectUnknownKeys } from "../model/check";
import { describeLrScaling, LR_SCALINGS, LrScaling } from "./lr-scaling";

export { LR_SCALINGS } from "./lr-scaling";
export type { LrScaling } from "./lr-scaling";

export const SYNC_MODES = ["gradients", "synchronous", "asynchronous", "hogwild"] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export const SYNC_FREQUENCIES = ["epoch", "batch"] as const;
export type SyncFrequency = (typeof SYNC_FREQUENCIES)[number];
/** How mode 'gradients' draws its micro-batches (lib/distributed/slot-shards.ts). */
export const SAMPLINGS = ["global", "shards"] as const;
export type Sampling = (typeof SAMPLINGS)[number];
/** What an asynchronous or hogwild worker pushes to the shared store. */
export const PUSHES = ["deltas", "gradients"] as const;
export type Push = (typeof PUSHES)[number];

export interface DistributedConfig {
  /**
   * gradients: every batch, the row-weighted average of the workers' gradients, then one identical
   * Adam step everywhere (Horovod/DDP: N workers train the 1-worker model); synchronous: weighted
   * average of the weights each round (Elephas); asynchronous: deltas under a lock; hogwild: deltas, no lock.
   */
  mode: SyncMode;
  /**
   * When workers meet the shared weights: after each epoch, or every `syncEvery` batches. Default
   * 'batch' for 'gradients' (its only frequency), else 'epoch'.
   */
  frequency?: SyncFrequency;
  numWorkers: number;
  /** Rows a step: the GLOBAL batch with 'gradients' (split between workers), per worker otherwise. */
  batchSize: number;
  /** Batches between exchanges when frequency is 'batch' (default 1, as Elephas); must be absent or 1 with 'epoch'. */
  syncEvery?: number;
  /** Seeds the partition, each worker's per-epoch shuffle and its dropout masks. */
  seed?: number;
  /**
   * 'gradients' only: the global batch is cut into this many micro-batches, each one gradient, summed
   * in order whichever worker computed it, so every worker count up to it trains bit-identically.
   * Default max(8, numWorkers), at most batchSize.
   */
  microBatches?: number;
  /**
   * 'gradients' only. 'global' (default): every epoch one seeded shuffle of all training rows, cut
   * into global batches, each into micro-batches; every worker (and every cluster rank) maps all
   * rows. 'shards': the rows are dealt once into one shard per micro-batch slot, shuffled per epoch
   * within it; a worker needs only its slots' shards, so a cluster rank holds only those. Both train
   * the same model at any worker count; they are two different random draws of the batches.
   */
  sampling?: Sampling;
  /**
   * Asynchronous and hogwild only: a worker whose delta is staler than this (other workers' deltas
   * landed since it read the weights) drops it and re-reads instead. Default: no bound (Elephas).
   */
  maxStaleness?: number;
  /**
   * Asynchronous and hogwild only. 'deltas' (default, Elephas): a worker trains with its own Adam and
   * pushes its weights' change. 'gradients' (Downpour SGD, Dean et al. 2012): every batch a worker
   * pushes the gradient at the weights it last read, and the store applies it with one shared Adam
   * state (under the lock in asynchronous, without it in hogwild): 1 worker is plain sequential
   * training, N workers the same steps with stale gradients. Exchanges every batch (frequency 'batch').
   */
  push?: Push;
  /**
   * Synchronous only: at every exchange Adam's first and second moments and its step count are
   * averaged with the same row weights as the weights, and every worker continues from that
   * state (default false: each worker keeps its own, as Elephas).
   */
  averageMoments?: boolean;
  /**
   * Synchronous only: the learning rate × numWorkers ('linear', Goyal et al. 2017) or × √numWorkers
   * ('sqrt'), reached by a linear warm-up over `warmupEpochs`. Default 'none'.
   */
  lrScaling?: LrScaling;
  /** Epochs of linear warm-up from the base rate to the scaled one (default 0); needs lrScaling. */
  warmupEpochs?: number;
}

/** A config with its defaults filled in: what workers receive. */
export type ResolvedConfig = Required<DistributedConfig>;

export const MAX_WORKERS = 64;
export const DEFAULT_SEED = 42;

const KEYS = ["mode", "frequency", "numWorkers", "batchSize", "syncEvery", "seed", "microBatches", "sampling", "maxStaleness", "push", "averageMoments", "lrScaling", "warmupEpochs"] as const;
/** ResolvedConfig.maxStaleness when no bound was asked. */
export const UNBOUNDED_STALENESS = -1;

/** Micro-batches of a 'gradients' step unless told otherwise (with 8 or fewer workers: results independent of the count). */
export const DEFAULT_MICRO_BATCHES = 8;

/** Check a config (from code or JSON) and fill defaults. Throws a one-line TypeError on anything wrong. */
export function validateConfig(value: unknown): ResolvedConfig {
  const o = expectObject(value, "config");
  rejectUnknownKeys(o, KEYS, "config");
  const mode = expectOneOf(o.mode, SYNC_MODES, "config.mode");
  const deltas = mode === "asynchronous" || mode === "hogwild";
  // 'deltas' is what a resolved config of any mode carries, so validateConfig(validateConfig(c)) works.
  const push = o.push === undefined ? "deltas" : expectOneOf(o.push, PUSHES, "config.push");
  if (push === "gradients" && !deltas) throw new TypeError(`config.push 'gradients' applies only to modes 'asynchronous' and 'hogwild' (mode 'gradients' averages them synchronously); remove it`);
  const frequency = o.frequency === undefined ? defaultFrequency(mode, push) : expectOneOf(o.frequency, SYNC_FREQUENCIES, "config.frequency");
  // Both gradient rules exchange every batch, and nothing else.
  const everyBatch = mode === "gradients" ? "config.mode 'gradients' averages gradients every batch" : push === "gradients" ? "config.push 'gradients' pushes every batch's gradient" : null;
  if (everyBatch && (frequency !== "batch" || (o.syncEvery !== undefined && o.syncEvery !== 1))) {
    throw new TypeError(`${everyBatch}: use frequency 'batch' with syncEvery 1 (or leave both out)`);
  }
  const numWorkers = expectInt(o.numWorkers, "config.numWorkers", 1, MAX_WORKERS);
  const batchSize = expectInt(o.batchSize, "config.batchSize", 1);
  // syncEvery 1 is what a resolved 'epoch' config carries, so validateConfig(validateConfig(c)) works.
  if (frequency === "epoch" && o.syncEvery !== undefined && o.syncEvery !== 1) {
    throw new TypeError("config.syncEvery applies only to frequency 'batch'; remove it or use frequency 'batch'");
  }
  const syncEvery = o.syncEvery === undefined ? 1 : expectInt(o.syncEvery, "config.syncEvery", 1);
  const seed = o.seed === undefined ? DEFAULT_SEED : expectInt(o.seed, "config.seed", 0, 2 ** 32 - 1);
  // 1 is what a resolved non-gradients config carries, so validateConfig(validateConfig(c)) works.
  if (mode !== "gradients" && o.microBatches !== undefined && o.microBatches !== 1) {
    throw new TypeError("config.microBatches applies only to mode 'gradients'; remove it");
  }
  // A micro-batch needs a row: the default shrinks to a small batch, an explicit value is checked.
  const microBatches =
    mode !== "gradients"
      ? 1
      : o.microBatches === undefined
        ? Math.min(Math.max(DEFAULT_MICRO_BATCHES, numWorkers), batchSize)
        : expectInt(o.microBatches, "config.microBatches", 1, 1024);
  if (microBatches > batchSize) throw new TypeError(`config.microBatches (${microBatches}) exceeds config.batchSize (${batchSize}): a micro-batch needs at least one row`);
  // 'global' is what a resolved non-gradients config carries, so validateConfig(validateConfig(c)) works.
  const sampling = o.sampling === undefined ? "global" : expectOneOf(o.sampling, SAMPLINGS, "config.sampling");
  if (mode !== "gradients" && sampling !== "global") throw new TypeError("config.sampling applies only to mode 'gradients'; remove it");
  if (!deltas && o.maxStaleness !== undefined && o.maxStaleness !== UNBOUNDED_STALENESS) {
    throw new TypeError("config.maxStaleness applies only to modes 'asynchronous' and 'hogwild'; remove it");
  }
  const maxStaleness = o.maxStaleness === undefined || o.maxStaleness === UNBOUNDED_STALENESS ? UNBOUNDED_STALENESS : expectInt(o.maxStaleness, "config.maxStaleness", 0);
  if (o.averageMoments !== undefined && typeof o.averageMoments !== "boolean") throw new TypeError("config.averageMoments must be a boolean");
  const averageMoments = o.averageMoments === true;
  if (averageMoments && mode !== "synchronous") throw new TypeError("config.averageMoments applies only to mode 'synchronous' (the other modes exchange no weights to average it with); remove it");
  const lrScaling = o.lrScaling === undefined ? "none" : expectOneOf(o.lrScaling, LR_SCALINGS, "config.lrScaling");
  if (lrScaling !== "none" && mode !== "synchronous") throw new TypeError("config.lrScaling applies only to mode 'synchronous' (weight averaging); remove it");
  const warmupEpochs = o.warmupEpochs === undefined ? 0 : expectInt(o.warmupEpochs, "config.warmupEpochs", 0, 10_000);
  if (warmupEpochs > 0 && lrScaling === "none") throw new TypeError("config.warmupEpochs warms up a scaled learning rate: set config.lrScaling too, or remove it");
  return { mode, frequency, numWorkers, batchSize, syncEvery, seed, microBatches, sampling, maxStaleness, push, averageMoments, lrScaling, warmupEpochs };
}

/** The gradient rules (mode 'gradients', pushed gradients) exchange every batch; weights and deltas once an epoch unless told otherwise. */
export function defaultFrequency(mode: SyncMode, push: Push = "deltas"): SyncFrequency {
  return mode === "gradients" || push === "gradients" ? "batch" : "epoch";
}

/** What the workers exchange, in words: for metrics.json and the report. */
export function averagingRule(config: ResolvedConfig): string {
  const when = config.frequency === "epoch" ? "after each epoch" : config.syncEvery === 1 ? "every batch" : `every ${config.syncEvery} batches`;
  switch (config.mode) {
    case "gradients":
      return `gradients of ${config.microBatches} micro-batches averaged weighted by rows every global batch of ${config.batchSize}, one Adam step applied by every worker${config.sampling === "shards" ? "; micro-batches drawn from one shard of the rows per slot" : ""}`;
    case "synchronous": {
      const adam = config.averageMoments
        ? "Adam's moments and step count averaged with them, every worker continuing from the averaged state"
        : "each worker with its own Adam state";
      const lr = describeLrScaling(config.lrScaling, config.numWorkers, config.warmupEpochs);
      return `weights averaged weighted by rows ${when}, ${adam}${lr ? `; ${lr}` : ""}`;
    }
    case "asynchronous":
      if (config.push === "gradients") return `gradients pushed every batch to a locked store${bound(config, "gradients")}, which applies each with one shared Adam state (Downpour SGD)`;
      return `weight deltas pushed to a locked store ${when}${bound(config)}, each worker with its own Adam state`;
    case "hogwild":
      if (config.push === "gradients") return `gradients pushed every batch to the store without a lock${bound(config, "gradients")}, each applied with one shared Adam state`;
      return `weight deltas added to the store without a lock ${when}${bound(config)}, each worker with its own Adam state`;
  }
}

function bound(config: ResolvedConfig, what = "deltas"): string {
  return config.maxStaleness === UNBOUNDED_STALENESS ? "" : ` (${what} staler than ${config.maxStaleness} dropped)`;
}

/** The config as a user would write it (no syncEvery with 'epoch'): what distributed.json stores. */
export function configToJson(config: ResolvedConfig): DistributedConfig {
  const { syncEvery, microBatches, sampling, maxStaleness, push, averageMoments, lrScaling, warmupEpochs, ...rest } = config;
  return {
    ...rest,
    ...(averageMoments ? { averageMoments } : {}),
    ...(lrScaling !== "none" ? { lrScaling } : {}),
    ...(warmupEpochs > 0 ? { warmupEpochs } : {}),
    ...(config.frequency === "batch" ? { syncEvery } : {}),
    ...(config.mode === "gradients" ? { microBatches } : {}),
    ...(sampling !== "global" ? { sampling } : {}),
    ...(maxStaleness !== UNBOUNDED_STALENESS ? { maxStaleness } : {}),
    ...(push !== "deltas" ? { push } : {}),
  };
}

/**
 * TEST ONLY: make one worker fail on purpose, to exercise fault handling. It fires before batch
 * `atBatch` (default 0: at the very start) of epoch `atEpoch`, so a non-zero batch fails mid-epoch
 * ('terminate': when the worker reports that batch done). A batch past the worker's last never fires.
 */
export interface FaultInjection {
  worker: number;
  atEpoch: number;
  atBatch?: number;
  /**
   * throw: synchronous throw; reject: rejected promise nobody awaits; exit: process.exit(3) in the
   * worker; terminate: the main thread calls worker.terminate() on it; oom: the worker allocates
   * until its heap limit ends it (needs fit options.resourceLimits.maxOldGenerationSizeMb); hang: the
   * worker spins forever without a message or an exit (fit options.stallTimeoutSec catches it); pause:
   * the worker sleeps PAUSE_FAULT_MS before that batch and every later one of the epoch (a slow thread).
   */
  kind: FaultKind;
}
export const FAULT_KINDS = ["throw", "reject", "exit", "terminate", "oom", "hang", "pause"] as const;
/** How long fault 'pause' stops its worker before each batch. */
export const PAUSE_FAULT_MS = 100;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Memory caps for each worker thread (Node's worker resourceLimits, in MB). Plain numbers only. */
export interface WorkerResourceLimits {
  /** Main JS heap; a worker exceeding it is ended with ERR_WORKER_OUT_OF_MEMORY and fit rejects. */
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  stackSizeMb?: number;
}
const RESOURCE_LIMIT_KEYS = ["maxOldGenerationSizeMb", "maxYoungGenerationSizeMb", "stackSizeMb"] as const;

/** Streamed to FitOptions.onProgress on the main thread. */
export type ProgressEvent =
  /** One batch of one worker. */
  | { type: "batch"; worker: number; epoch: number; batch: number; batches: number; loss: number; acc: number; samples: number }
  /** One worker finished an epoch (val* on the shared weights, its share of the validation rows). */
  | { type: "epoch"; worker: number; epoch: number; loss: number; acc: number; samples: number; valLoss?: number; valAcc?: number }
  /** Every worker finished this epoch: the merged figures that FitResult.merged will hold. */
  | { type: "merged"; epoch: number; loss: number; acc: number; samples: number; valLoss?: number; valAcc?: number };

export type ProgressEventCallback = (event: ProgressEvent) => void;

/** What FitOptions.onEpochEnd receives once every worker finished `epoch`. Plain data. */
export interface EpochEnd {
  /** 0-based, counted from the first epoch of the whole training (initialEpoch included). */
  epoch: number;
  /** A copy of the shared weights, flat, in model.weights order: yours to keep. */
  weights: Float32Array;
  loss: number;
  acc: number;
  samples: number;
  valLoss?: number;
  valAcc?: number;
}

/** May be async: calls run one at a time in epoch order; a throw or rejection fails fit. */
export type EpochEndCallback = (end: EpochEnd) => void | Promise<void>;

export interface FitOptions {
  /** Index of the last epoch + 1, as in Keras: with initialEpoch, trains epochs initialEpoch..epochs-1. */
  epochs: number;
  /**
   * Epoch to start at (default 0), as Keras's initial_epoch: to continue an interrupted training
   * from a checkpoint. Shuffles and dropout masks follow the epoch number, so they continue too;
   * each worker's Adam state starts afresh (only weights are shared and checkpointed).
   */
  initialEpoch?: number;
  /** Fraction held out from the END of the data (as Keras), evaluated after every epoch. */
  validationSplit?: number;
  /** Called on the main thread for every batch and epoch a worker finishes. */
  onProgress?: ProgressEventCallback;
  /**
   * Called on the main thread after every worker finished an epoch, with a copy of the shared
   * weights then (synchronous: the average of that epoch's last round; asynchronous / hogwild: the
   * store when the last worker finished the epoch). For checkpoints. fit resolves after the last call.
   */
  onEpochEnd?: EpochEndCallback;
  /** Seeded shuffle of each partition every epoch (default true). */
  shuffle?: boolean;
  /** Memory caps applied to each worker thread of this call. */
  resourceLimits?: WorkerResourceLimits;
  /**
   * Fail fit when a worker has sent nothing (no batch progress, no epoch end) for this long: a hung
   * worker, or one stuck behind it. Default 300 s; 0 switches the watchdog off.
   */
  stallTimeoutSec?: number;
  /** TEST ONLY, see FaultInjection. */
  faultInjection?: FaultInjection;
}

/** Longest silence allowed from a training worker before fit fails (fit options.stallTimeoutSec). */
export const DEFAULT_STALL_TIMEOUT_SEC = 300;

export type ResolvedFitOptions = Required<Omit<FitOptions, "onProgress" | "onEpochEnd" | "faultInjection" | "resourceLimits">> &
  Pick<FitOptions, "onProgress" | "onEpochEnd" | "faultInjection" | "resourceLimits">;

const FIT_KEYS = ["epochs", "initialEpoch", "validationSplit", "onProgress", "onEpochEnd", "shuffle", "resourceLimits", "stallTimeoutSec", "faultInjection"] as const;

export function validateFitOptions(value: unknown, numWorkers: number): ResolvedFitOptions {
  const o = expectObject(value, "fit options");
  rejectUnknownKeys(o, FIT_KEYS, "fit options");
  const epochs = expectInt(o.epochs, "fit options.epochs", 1);
  const initialEpoch = o.initialEpoch === undefined ? 0 : expectInt(o.initialEpoch, "fit options.initialEpoch", 0, epochs - 1);
  const validationSplit =
    o.validationSplit === undefined
      ? 0
      : expectNumber(o.validationSplit, "fit options.validationSplit", { min: 0, max: 1, maxExclusive: true });
  for (const k of ["onProgress", "onEpochEnd"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "function") throw new TypeError(`fit options.${k} must be a function`);
  }
  if (o.shuffle !== undefined && typeof o.shuffle !== "boolean") throw new TypeError("fit options.shuffle must be a boolean");
  const stallTimeoutSec = o.stallTimeoutSec === undefined ? DEFAULT_STALL_TIMEOUT_SEC : expectNumber(o.stallTimeoutSec, "fit options.stallTimeoutSec", { min: 0 });
  const out: ResolvedFitOptions = { epochs, initialEpoch, validationSplit, shuffle: o.shuffle ?? true, stallTimeoutSec };
  if (o.onProgress !== undefined) out.onProgress = o.onProgress as ProgressEventCallback;
  if (o.onEpochEnd !== undefined) out.onEpochEnd = o.onEpochEnd as EpochEndCallback;
  if (o.resourceLimits !== undefined) out.resourceLimits = parseResourceLimits(o.resourceLimits);
  if (o.faultInjection !== undefined) {
    out.faultInjection = parseFault(o.faultInjection, numWorkers, initialEpoch, epochs);
    if (out.faultInjection.kind === "oom" && out.resourceLimits?.maxOldGenerationSizeMb === undefined) {
      throw new TypeError("fit options.faultInjection.kind 'oom' needs fit options.resourceLimits.maxOldGenerationSizeMb (else it exhausts the process)");
    }
  }
  return out;
}

/** Integers in MB: at least 1 (Node needs some room; what is enough for tfjs is for the caller to choose). */
export function parseResourceLimits(v: unknown, where = "fit options.resourceLimits"): WorkerResourceLimits {
  const o: Plain = expectObject(v, where);
  rejectUnknownKeys(o, RESOURCE_LIMIT_KEYS, where);
  const out: WorkerResourceLimits = {};
  for (const k of RESOURCE_LIMIT_KEYS) if (o[k] !== undefined) out[k] = expectInt(o[k], `${where}.${k}`, 1, 1 << 20);
  return out;
}

function parseFault(v: unknown, numWorkers: number, initialEpoch: number, epochs: number): FaultInjection {
  const o: Plain = expectObject(v, "fit options.faultInjection");
  rejectUnknownKeys(o, ["worker", "atEpoch", "atBatch", "kind"], "fit options.faultInjection");
  const out: FaultInjection = {
    worker: expectInt(o.worker, "fit options.faultInjection.worker", 0, numWorkers - 1),
    atEpoch: expectInt(o.atEpoch, "fit options.faultInjection.atEpoch", initialEpoch, epochs - 1),
    kind: expectOneOf(o.kind, FAULT_KINDS, "fit options.faultInjection.kind"),
  };
  if (o.atBatch !== undefined) out.atBatch = expectInt(o.atBatch, "fit options.faultInjection.atBatch", 0);
  return out;
}
