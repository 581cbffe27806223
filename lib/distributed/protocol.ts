// Every message between the main thread and a worker. Plain data, typed arrays (transferred) and
// SharedArrayBuffers only; one Init down, then Ready → Progress/Epoch* → Done | Predictions, or Failed.
import type { ModelSpec } from "../model/spec";
import type { FaultInjection, ResolvedConfig } from "./config";
import type { MetricSums } from "./metrics";
import type { ParamStoreHandles } from "./param-store";

export interface FitTask {
  kind: "fit";
  workerId: number;
  spec: ModelSpec;
  config: ResolvedConfig;
  store: ParamStoreHandles;
  /** This worker's partition, count rows of T×F floats (T token ids for 'original'); transferred. */
  x: Float32Array;
  y: Float32Array;
  count: number;
  /** This worker's share of the validation rows, evaluated on the shared weights after each epoch. */
  val: { x: Float32Array; y: Float32Array; count: number } | null;
  epochs: number;
  shuffle: boolean;
  /** Synchronous mode: barrier rounds per epoch, the same for every worker (some may bring no batch). */
  roundsPerEpoch: number;
  /** TEST ONLY. */
  faultInjection: FaultInjection | null;
}

export interface PredictTask {
  kind: "predict";
  workerId: number;
  spec: ModelSpec;
  store: ParamStoreHandles;
  /** Contiguous rows of the caller's input, transferred. */
  x: Float32Array;
  count: number;
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
  /** Inside trainOnBatch (forward, backward, Adam). */
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
}

export interface DoneMessage {
  type: "done";
  workerId: number;
  history: WorkerHistory;
  timing: WorkerTiming;
  /** Wall-clock ms (performance.timeOrigin + now) when training started and ended. */
  trainStart: number;
  trainEnd: number;
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
