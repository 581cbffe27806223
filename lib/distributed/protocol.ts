// Every message between the main thread and a worker. Plain data, typed arrays (transferred) and
// SharedArrayBuffers only; one Init down, then Ready → Progress/Epoch* → Done | Predictions, or Failed.
import type { ShardLayout } from "./slot-shards";
import type { ModelSpec } from "../model/spec";
import type { TrainingKernel } from "../model/train-step";
import type { FaultInjection, ResolvedConfig } from "./config";
import type { MetricSums } from "./metrics";
import type { ParamStoreHandles } from "./param-store";
import type { CrossRankHandle } from "./cross-rank";

export interface FitTask {
  kind: "fit";
  workerId: number;
  spec: ModelSpec;
  config: ResolvedConfig;
  store: ParamStoreHandles;
  /**
   * This worker's partition, count rows of T×F floats (T token ids for 'original'); transferred.
   * Mode 'gradients': the slot shards this process holds (all of them on threads, a rank's own in a
   * cluster), back to back over a SharedArrayBuffer all workers map (no copy); see `shards`.
   */
  x: Float32Array;
  y: Float32Array;
  count: number;
  /** This worker's share of the validation rows, evaluated on the shared weights after each epoch. */
  val: { x: Float32Array; y: Float32Array; count: number } | null;
  /** Train epochs initialEpoch..epochs-1 (seeds follow the absolute epoch number). */
  initialEpoch: number;
  epochs: number;
  shuffle: boolean;
  /** Synchronous mode: worker 0 attaches the averaged weights to each epoch message (checkpoints). */
  snapshot: boolean;
  /** Synchronous mode: barrier rounds per epoch, the same for every worker (some may bring no batch). */
  roundsPerEpoch: number;
  /**
   * Mode 'gradients' only: the model's weights (the DistributedModel's own buffer). Workers start
   * from them; worker 0 writes the weights back after every epoch (all workers hold the same ones).
   */
  weights: SharedArrayBuffer | null;
  /**
   * Synchronous with config.averageMoments: the store of Adam states (packed, adamStateSize floats a
   * slot). Slot w: what worker w brings to an exchange; slot numWorkers + w: what it holds after.
   */
  moments: ParamStoreHandles | null;
  /** TEST ONLY. */
  faultInjection: FaultInjection | null;
  /** config.push 'gradients': the one shared Adam state every push updates (lib/distributed/shared-adam.ts). */
  adamState?: SharedArrayBuffer;
  /** Mode 'gradients': every slot shard's size, and where the held ones start in x (lib/distributed/slot-shards.ts). */
  shards?: ShardLayout;
  /** Cluster runs (lib/cluster): the global worker number seeding shuffles and dropout (default workerId). */
  seedWorker?: number;
  /** Cluster runs, modes 'gradients' and synchronous (lr scaling): workers over all ranks (R × threads); seedWorker is this one's number among them. */
  globalWorkers?: number;
  /** Cluster runs, synchronous and gradients: the barrier's last thread also exchanges across ranks through this. */
  crossRank?: CrossRankHandle | null;
  /**
   * Cluster ranks pushing to rank 0 every few batches (asynchronous / hogwild, frequency 'batch'): a
   * progress message after every batch, not PROGRESS_EVERY_MS apart, since the rank's main thread
   * counts batches by them to time its pushes.
   */
  progressEveryBatch?: boolean;
}

export interface PredictTask {
  kind: "predict";
  workerId: number;
  spec: ModelSpec;
  store: ParamStoreHandles;
  /** Contiguous rows of the caller's input, transferred. */
  x: Float32Array;
  count: number;
  /** Rows a batch, as the caller cut the rows: the worker scores in exactly these batches. */
  batchSize: number;
}

export type WorkerTask = FitTask | PredictTask;

export interface InitMessage {
  type: "init";
  task: WorkerTask;
}
export type MainToWorker = InitMessage;

/** Per-worker time split, milliseconds. */
export interface WorkerTiming {
  /** From the start barrier to the end of the last epoch. */
  trainMs: number;
  /** Inside the training step (forward, backward, Adam). */
  computeMs: number;
  /** Reading, writing and adding to the shared weights, and get/setWeights on the model. */
  paramStoreMs: number;
  /** Weighted averaging done by this worker as the last at a barrier (synchronous). */
  averagingMs: number;
  /** Waiting at barriers for the other workers (synchronous, plus the start barrier). */
  barrierWaitMs: number;
  /** Waiting for the store lock (asynchronous). */
  lockWaitMs: number;
  /** Exchanges with the store: barrier rounds or delta pushes. */
  rounds: number;
  /** Validation after each epoch. */
  validationMs: number;
  /** Mode gradients: micro-batches this worker computed (its threads share a batch's slots as they come). */
  microBatches?: number;
  /** Mark-compacts of the worker thread's heap since the thread started (all its fits), at the fit's end. */
  majorGcs?: number;
}

export interface WorkerHistory {
  loss: number[];
  acc: number[];
  /** Windows trained per epoch. */
  samples: number[];
  /** tf.memory().numTensors after each epoch: flat once Adam's slots exist. */
  numTensors: number[];
  /** Wall-clock ms (performance.timeOrigin + now) at the end of each epoch. */
  epochEnd: number[];
  /** Mode gradients: micro-batches this worker computed in each epoch. */
  microBatches?: number[];
  /** The timing counters when the fit's first epoch was recorded (trainMs: from the start barrier to then): the warm-up, which steady figures leave out. */
  timingAfterFirstEpoch?: WorkerTiming;
}

export interface ReadyMessage {
  type: "ready";
  workerId: number;
  backend: string;
  startupMs: number;
}

export interface ProgressMessage {
  type: "progress";
  workerId: number;
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  acc: number;
  samples: number;
}

export interface EpochMessage {
  type: "epoch";
  workerId: number;
  epoch: number;
  batches: number;
  loss: number;
  acc: number;
  samples: number;
  val: MetricSums | null;
  numTensors: number;
  /** The shared weights after this epoch's last averaging, when FitTask.snapshot asked (worker 0, synchronous); transferred. */
  weights: Float32Array | null;
}

export interface DoneMessage {
  type: "done";
  workerId: number;
  history: WorkerHistory;
  timing: WorkerTiming;
  /** Wall-clock ms (performance.timeOrigin + now) when training started and ended. */
  trainStart: number;
  trainEnd: number;
  /** Which code computed the training steps, and why tfjs-layers did when it did. */
  kernel: TrainingKernel;
  kernelNote?: string;
  /** Asynchronous and hogwild: other workers' deltas that landed between this worker's read and each of its pushes. */
  staleness: Staleness | null;
}

/** Staleness of one worker's pushes (asynchronous / hogwild), or of all workers' in FitResult. */
export interface Staleness {
  pushes: number;
  mean: number;
  max: number;
  /** Pushes refused because they were staler than config.maxStaleness (the worker re-read instead). */
  dropped: number;
}

export interface PredictionsMessage {
  type: "predictions";
  workerId: number;
  y: Float32Array;
}

export interface FailedMessage {
  type: "failed";
  workerId: number;
  message: string;
  stack?: string;
}

export type WorkerToMain = ReadyMessage | ProgressMessage | EpochMessage | DoneMessage | PredictionsMessage | FailedMessage;

/** Messages after which a worker has nothing more to say. */
export function isFinal(msg: WorkerToMain): msg is DoneMessage | PredictionsMessage {
  return msg.type === "done" || msg.type === "predictions";
}

/**
 * Throws unless `value` is plain data: primitives (no symbols or functions), arrays, objects whose
 * prototype is Object.prototype or null, typed arrays, ArrayBuffers and SharedArrayBuffers. Every
 * message is checked before it is posted: structured clone would silently strip a class instance
 * to its fields (a ParamStore would arrive without methods) and refuses functions only at run time.
 * Costs a walk over the message's fields, never over typed-array contents.
 */
export function assertPlainMessage(value: unknown, where = "message"): void {
  walk(value, where, new Set());
}

function walk(v: unknown, where: string, seen: Set<object>): void {
  switch (typeof v) {
    case "string":
    case "number":
    case "boolean":
    case "undefined":
      return;
    case "object":
      break;
    default:
      throw new TypeError(`${where} is a ${typeof v}: only plain data crosses a thread`);
  }
  if (v === null) return;
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) {
    if (v instanceof DataView) throw new TypeError(`${where} is a DataView: send a typed array`);
    return;
  }
  if (seen.has(v)) throw new TypeError(`${where} refers back to itself`);
  seen.add(v);
  if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, `${where}[${i}]`, seen));
  } else {
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const name = (v as { constructor?: { name?: string } }).constructor?.name ?? "unknown";
      throw new TypeError(`${where} is an instance of ${name}: only plain objects, arrays and typed arrays cross a thread`);
    }
    for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], `${where}.${k}`, seen);
  }
  seen.delete(v);
}
