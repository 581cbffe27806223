// What every training loop of a worker does between and after its epochs, written once: the timing
// counters, validation on the held-out rows, the epoch's line in the history and its message to the
// main thread, and the final report.
import * as tf from "@tensorflow/tfjs";
import { majorGcs } from "./worker-gcs";
import type { TrainingKernel } from "../model/fused-model";
import { binaryMetricSums, MetricSums } from "./metrics";
import type { FitTask, Staleness, WorkerHistory, WorkerTiming } from "./protocol";
import { DOUBLE_ZERO, now, Post, predictBatchSize, predictRows } from "./worker-common";

/** An epoch's sums as a training loop keeps them. */
export interface EpochSums {
  epoch: number;
  batches: number;
  lossSum: number;
  accSum: number;
  /** Rows the sums are over. */
  seen: number;
}

export class WorkerEpochs {
  readonly timing: WorkerTiming = {
    trainMs: DOUBLE_ZERO, computeMs: DOUBLE_ZERO, paramStoreMs: DOUBLE_ZERO, averagingMs: DOUBLE_ZERO, barrierWaitMs: DOUBLE_ZERO, lockWaitMs: DOUBLE_ZERO, rounds: 0, validationMs: DOUBLE_ZERO,
  };
  readonly history: WorkerHistory = { loss: [], acc: [], samples: [], numTensors: [], epochEnd: [] };
  private trainStart = 0;

  constructor(private readonly task: FitTask, private readonly post: Post, opts: { microBatches?: boolean } = {}) {
    if (opts.microBatches) {
      this.timing.microBatches = 0;
      this.history.microBatches = [];
    }
  }

  /** Whether the task holds rows to validate on (then put the weights to evaluate into the model before validate). */
  get validates(): boolean {
    return !!this.task.val && this.task.val.count > 0;
  }

  /** Call after the start barrier. */
  start(): void {
    this.trainStart = now();
  }

  /**
   * The model's metric sums over the task's held-out rows (null without them), timed as validation.
   * The caller puts the weights to evaluate into `model` first.
   */
  validate(model: tf.LayersModel, rowSize: number, batchShape: (b: number) => number[]): MetricSums | null {
    const val = this.task.val;
    if (!val || val.count === 0) return null;
    const t = performance.now();
    const pred = predictRows(model, val.x, val.count, rowSize, batchShape, predictBatchSize(this.task.config.batchSize));
    const sums = binaryMetricSums(pred, val.y);
    this.timing.validationMs += performance.now() - t;
    return sums;
  }

  /** The epoch into the history and to the main thread (`weights`, a snapshot, is transferred). */
  record(e: EpochSums, val: MetricSums | null, weights: Float32Array | null = null, microBatches?: number): void {
    const h = this.history;
    const loss = e.seen ? e.lossSum / e.seen : NaN;
    const acc = e.seen ? e.accSum / e.seen : NaN;
    const numTensors = tf.memory().numTensors;
    h.loss.push(loss);
    h.acc.push(acc);
    h.samples.push(e.seen);
    h.numTensors.push(numTensors);
    h.epochEnd.push(now());
    if (microBatches !== undefined) h.microBatches?.push(microBatches);
    if (h.loss.length === 1) h.timingAfterFirstEpoch = { ...this.timing, trainMs: now() - this.trainStart };
    this.post(
      { type: "epoch", workerId: this.task.workerId, epoch: e.epoch, batches: e.batches, loss, acc, samples: e.seen, val, numTensors, weights },
      weights ? [weights.buffer as ArrayBuffer] : [],
    );
  }

  /** The worker's final report. */
  done(step: { kernel: TrainingKernel; reason?: string }, staleness: Staleness | null): void {
    const trainEnd = now();
    this.timing.trainMs = trainEnd - this.trainStart;
    this.timing.majorGcs = majorGcs();
    this.post({
      type: "done", workerId: this.task.workerId, history: this.history, timing: this.timing, trainStart: this.trainStart, trainEnd,
      kernel: step.kernel, ...(step.reason ? { kernelNote: step.reason } : {}), staleness,
    });
  }
}
