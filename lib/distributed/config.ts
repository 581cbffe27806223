// Trainer configuration, and the one place where modes and fit options are checked.
import { expectInt, expectNumber, expectObject, expectOneOf, Plain, rejectUnknownKeys } from "../model/check";

export const SYNC_MODES = ["synchronous", "asynchronous", "hogwild"] as const;
export type SyncMode = (typeof SYNC_MODES)[number];
export const SYNC_FREQUENCIES = ["epoch", "batch"] as const;
export type SyncFrequency = (typeof SYNC_FREQUENCIES)[number];

export interface DistributedConfig {
  /** synchronous: weighted average each round; asynchronous: deltas under a lock; hogwild: deltas, no lock. */
  mode: SyncMode;
  /** When workers meet the shared weights: after each epoch, or every `syncEvery` batches. */
  frequency: SyncFrequency;
  numWorkers: number;
  batchSize: number;
  /** Batches between exchanges when frequency is 'batch' (default 1, as Elephas); must be absent or 1 with 'epoch'. */
  syncEvery?: number;
  /** Seeds the partition, each worker's per-epoch shuffle and its dropout masks. */
  seed?: number;
}

/** A config with its defaults filled in: what workers receive. */
export type ResolvedConfig = Required<DistributedConfig>;

export const MAX_WORKERS = 64;
export const DEFAULT_SEED = 42;

const KEYS = ["mode", "frequency", "numWorkers", "batchSize", "syncEvery", "seed"] as const;

/** Check a config (from code or JSON) and fill defaults. Throws a one-line TypeError on anything wrong. */
export function validateConfig(value: unknown): ResolvedConfig {
  const o = expectObject(value, "config");
  rejectUnknownKeys(o, KEYS, "config");
  const mode = expectOneOf(o.mode, SYNC_MODES, "config.mode");
  const frequency = expectOneOf(o.frequency, SYNC_FREQUENCIES, "config.frequency");
  const numWorkers = expectInt(o.numWorkers, "config.numWorkers", 1, MAX_WORKERS);
  const batchSize = expectInt(o.batchSize, "config.batchSize", 1);
  // syncEvery 1 is what a resolved 'epoch' config carries, so validateConfig(validateConfig(c)) works.
  if (frequency === "epoch" && o.syncEvery !== undefined && o.syncEvery !== 1) {
    throw new TypeError("config.syncEvery applies only to frequency 'batch'; remove it or use frequency 'batch'");
  }
  const syncEvery = o.syncEvery === undefined ? 1 : expectInt(o.syncEvery, "config.syncEvery", 1);
  const seed = o.seed === undefined ? DEFAULT_SEED : expectInt(o.seed, "config.seed", 0, 2 ** 32 - 1);
  return { mode, frequency, numWorkers, batchSize, syncEvery, seed };
}

/** The config as a user would write it (no syncEvery with 'epoch'): what distributed.json stores. */
export function configToJson(config: ResolvedConfig): DistributedConfig {
  const { syncEvery, ...rest } = config;
  return config.frequency === "batch" ? { ...rest, syncEvery } : rest;
}

/** TEST ONLY: make one worker fail on purpose at the start of an epoch, to exercise fault handling. */
export interface FaultInjection {
  worker: number;
  atEpoch: number;
  /** throw: synchronous throw; reject: rejected promise nobody awaits; exit: process.exit(3) in the worker. */
  kind: "throw" | "reject" | "exit";
}
export const FAULT_KINDS = ["throw", "reject", "exit"] as const;

/** Streamed to FitOptions.onProgress on the main thread. */
export type ProgressEvent =
  /** One batch of one worker. */
  | { type: "batch"; worker: number; epoch: number; batch: number; batches: number; loss: number; acc: number; samples: number }
  /** One worker finished an epoch (val* on the shared weights, its share of the validation rows). */
  | { type: "epoch"; worker: number; epoch: number; loss: number; acc: number; samples: number; valLoss?: number; valAcc?: number }
  /** Every worker finished this epoch: the merged figures that FitResult.merged will hold. */
  | { type: "merged"; epoch: number; loss: number; acc: number; samples: number; valLoss?: number; valAcc?: number };

export type ProgressEventCallback = (event: ProgressEvent) => void;

export interface FitOptions {
  epochs: number;
  /** Fraction held out from the END of the data (as Keras), evaluated after every epoch. */
  validationSplit?: number;
  /** Called on the main thread for every batch and epoch a worker finishes. */
  onProgress?: ProgressEventCallback;
  /** Seeded shuffle of each partition every epoch (default true). */
  shuffle?: boolean;
  /** TEST ONLY, see FaultInjection. */
  faultInjection?: FaultInjection;
}

export type ResolvedFitOptions = Required<Omit<FitOptions, "onProgress" | "faultInjection">> &
  Pick<FitOptions, "onProgress" | "faultInjection">;

export function validateFitOptions(value: unknown, numWorkers: number): ResolvedFitOptions {
  const o = expectObject(value, "fit options");
  rejectUnknownKeys(o, ["epochs", "validationSplit", "onProgress", "shuffle", "faultInjection"], "fit options");
  const epochs = expectInt(o.epochs, "fit options.epochs", 1);
  const validationSplit =
    o.validationSplit === undefined
      ? 0
      : expectNumber(o.validationSplit, "fit options.validationSplit", { min: 0, max: 1, maxExclusive: true });
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") {
    throw new TypeError("fit options.onProgress must be a function");
  }
  if (o.shuffle !== undefined && typeof o.shuffle !== "boolean") throw new TypeError("fit options.shuffle must be a boolean");
  const out: ResolvedFitOptions = { epochs, validationSplit, shuffle: o.shuffle ?? true };
  if (o.onProgress !== undefined) out.onProgress = o.onProgress as FitOptions["onProgress"];
  if (o.faultInjection !== undefined) out.faultInjection = parseFault(o.faultInjection, numWorkers, epochs);
  return out;
}

function parseFault(v: unknown, numWorkers: number, epochs: number): FaultInjection {
  const o: Plain = expectObject(v, "fit options.faultInjection");
  rejectUnknownKeys(o, ["worker", "atEpoch", "kind"], "fit options.faultInjection");
  return {
    worker: expectInt(o.worker, "fit options.faultInjection.worker", 0, numWorkers - 1),
    atEpoch: expectInt(o.atEpoch, "fit options.faultInjection.atEpoch", 0, epochs - 1),
    kind: expectOneOf(o.kind, FAULT_KINDS, "fit options.faultInjection.kind"),
  };
}
