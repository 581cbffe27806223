// The second step of DistributedModel.fit: follow the workers' messages — progress events, each
// epoch merged once every worker reported it, epoch-end hooks run in order while training goes on,
// and the workers' final reports.
import type { EpochEnd, ProgressEventCallback, ResolvedFitOptions } from "./config";
import { mergeEpochMessages } from "./fit-result";
import { metricsFromSums, valFields } from "./metrics";
import type { DoneMessage, EpochMessage, WorkerToMain } from "./protocol";
import type { GroupControl } from "./worker-group";

export interface FitTrackerOptions {
  workers: number;
  firstEpoch: number;
  /** Epochs this fit trains (firstEpoch..). */
  epochs: number;
  options: ResolvedFitOptions;
  /** The shared weights now, for an epoch-end hook when no worker attached a snapshot. */
  snapshot: () => Float32Array;
}

export class FitTracker {
  readonly epochs: EpochMessage[][];
  readonly done: DoneMessage[] = [];
  readonly backends = new Set<string>();
  /** performance.now() when the last worker said it was ready. */
  readyAt = 0;
  private readyCount = 0;
  private readonly snapshots: (Float32Array | null)[];
  // onEpochEnd calls run one after another, in epoch order, while training goes on.
  private hooks: Promise<void> = Promise.resolve();
  private terminated = false;

  constructor(private readonly o: FitTrackerOptions) {
    this.epochs = Array.from({ length: o.epochs }, () => []);
    this.snapshots = Array.from({ length: o.epochs }, () => null);
  }

  private emit: ProgressEventCallback = (e) => this.o.options.onProgress?.(e);

  onMessage(msg: WorkerToMain, group: GroupControl): void | Promise<void> {
    switch (msg.type) {
      case "ready":
        this.backends.add(msg.backend);
        if (++this.readyCount === this.o.workers) this.readyAt = performance.now();
        return;
      case "progress": {
        this.emit({ type: "batch", worker: msg.workerId, epoch: msg.epoch, batch: msg.batch, batches: msg.batches, loss: msg.loss, acc: msg.acc, samples: msg.samples });
        // TEST ONLY: end a worker from outside, mid-epoch.
        const fault = this.o.options.faultInjection;
        if (fault?.kind === "terminate" && !this.terminated && msg.workerId === fault.worker && msg.epoch === fault.atEpoch && msg.batch >= (fault.atBatch ?? 0)) {
          this.terminated = true;
          group.terminate(fault.worker);
        }
        return;
      }
      case "epoch":
        return this.onEpoch(msg);
      case "done":
        this.done.push(msg);
        return;
      default:
        throw new Error(`unexpected message ${msg.type} from worker ${msg.workerId} during fit`);
    }
  }

  private onEpoch(msg: EpochMessage): void | Promise<void> {
    const v = msg.val ? metricsFromSums(msg.val) : null;
    this.emit({ type: "epoch", worker: msg.workerId, epoch: msg.epoch, loss: msg.loss, acc: msg.acc, samples: msg.samples, ...(v ? { valLoss: v.loss, valAcc: v.accuracy } : {}) });
    const k = msg.epoch - this.o.firstEpoch;
    this.epochs[k].push(msg);
    if (msg.weights) this.snapshots[k] = msg.weights;
    if (this.epochs[k].length !== this.o.workers) return;
    const m = mergeEpochMessages(this.epochs[k]);
    const val = valFields(m.val);
    this.emit({ type: "merged", epoch: msg.epoch, loss: m.loss, acc: m.acc, samples: m.samples, ...val });
    const onEpochEnd = this.o.options.onEpochEnd;
    if (!onEpochEnd) return;
    // Taken now, synchronously: the workers may move the shared weights on at any moment.
    const end: EpochEnd = { epoch: msg.epoch, weights: this.snapshots[k] ?? this.o.snapshot(), loss: m.loss, acc: m.acc, samples: m.samples, ...val };
    this.snapshots[k] = null;
    this.hooks = this.hooks.then(() => onEpochEnd(end));
    return this.hooks;
  }
}
