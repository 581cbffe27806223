// What both training loops and prediction share inside a worker thread: setup, seeds, prediction,
// yielding to the event loop, and the test-only fault injection.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { buildModelFromSpec, specInputShape } from "../model/spec";
import { makePredictor } from "../model/fused-model";
import { PAUSE_FAULT_MS, ResolvedConfig, UNBOUNDED_STALENESS } from "./config";
import { ParamStore } from "./param-store";
import { writeFlatWeights } from "../model/model-weights";
import { addStaleness } from "./fit-result";
import type { FitTask, PredictTask, Staleness, WorkerToMain } from "./protocol";

/**
 * Zero as a heap number, not a small integer, for fields that will hold fractions (timers, loss sums): the field
 * starts as a double, so its first fractional write does not replace the object's map, which made V8 throw away a
 * training loop compiled against it and compile it again in the thread's next fit while the other threads waited.
 */
export const DOUBLE_ZERO = -0;

export type Post = (msg: WorkerToMain, transfer?: ArrayBuffer[]) => void;

const PREDICT_MIN_BATCH = 256;

/** Scoring batches are at least 256 rows (wider matrix products); training's batch size is often smaller. */
export function predictBatchSize(trainBatch: number): number {
  return Math.max(trainBatch, PREDICT_MIN_BATCH);
}

/**
 * At most ~10 progress messages a second (and each epoch's last batch): a progress bar needs no more,
 * and each message wakes the main thread on a core the barrier-bound workers share.
 */
export const PROGRESS_EVERY_MS = 100;

/**
 * A training loop's gate for progress messages: true at most every PROGRESS_EVERY_MS, and always for an
 * epoch's last batch; always with `everyBatch` (FitTask.progressEveryBatch).
 */
export function progressGate(everyBatch = false): (lastOfEpoch: boolean) => boolean {
  return everyBatch ? () => true : everyMs(PROGRESS_EVERY_MS);
}

/** A clock gate: true when `ms` have passed since it last said true (since `last` at first), or when forced. */
function everyMs(ms: number, last = -Infinity): (force?: boolean) => boolean {
  return (force = false) => {
    const at = performance.now();
    if (!force && at - last < ms) return false;
    last = at;
    return true;
  };
}

/** Same seed, worker and epoch → same stream, whichever thread asks. */
export function streamSeed(seed: number, worker: number, epoch: number, salt: number): number {
  let h = (seed ^ Math.imul(worker + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return h;
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The weights a task starts from: mode gradients shares them beside the store (which holds gradients there). */
function sharedWeights(task: FitTask | PredictTask, store: ParamStore): Float32Array {
  if (task.kind === "fit" && task.config.mode === "gradients" && task.weights) return new Float32Array(task.weights, 0, store.size);
  return store.read();
}

/** Models built by setup(), by task: disposed when their task ends, as the thread may run another. */
const taskModels = new Map<FitTask | PredictTask, tf.LayersModel>();

export function disposeTaskModel(task: FitTask | PredictTask): void {
  const model = taskModels.get(task);
  if (!model) return;
  taskModels.delete(task);
  model.dispose(); // its Adam too (ownOptimizer)
}

export async function setup(task: FitTask | PredictTask, post: Post) {
  const t0 = performance.now();
  const backend = await initBackend();
  // No seeded initialisers: every task starts from the weights the main thread shares, loaded here.
  const model = buildModelFromSpec(task.spec, { placeholderWeights: true });
  taskModels.set(task, model);
  const shape = specInputShape(task.spec);
  const store = ParamStore.attach(task.store);
  writeFlatWeights(model, sharedWeights(task, store));
  post({ type: "ready", workerId: task.workerId, backend: backend.name, startupMs: performance.now() - t0 });
  const batchShape = (b: number) => (shape.tokens ? [b, shape.timesteps] : [b, shape.timesteps, shape.features]);
  return { model, store, rowSize: shape.timesteps * shape.features, batchShape };
}

export function predictRows(model: tf.LayersModel, x: Float32Array, count: number, rowSize: number, batchShape: (b: number) => number[], batchSize: number): Float32Array {
  const out = new Float32Array(count);
  const predictor = makePredictor(model);
  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    const values = tf.tidy(() => {
      const xs = tf.tensor(x.subarray(start * rowSize, (start + b) * rowSize), batchShape(b));
      return predictor.predict(xs).dataSync();
    });
    out.set(values, start);
  }
  return out;
}

/**
 * A training step resolves through microtasks only, so without this a whole epoch is one macrotask and
 * Node would notice an unhandled rejection (or run a timer) only when training ends.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The longest a training loop runs without letting the event loop turn. */
export const YIELD_EVERY_MS = 10;

/**
 * True when the loop should yield now (yieldToEventLoop): at most every YIELD_EVERY_MS. Mode gradients uses it: a turn
 * of the event loop after every global batch sat on the path to the next barrier (LSTM, 2 threads: 85.0k against
 * 92.8k windows/s, six runs each of `node dist/lib/bench/sync-batch-overhead.js 6144 8 gru,lstm 2 1 gradients`).
 * Synchronous per batch was slower with it (LSTM 88-95k against 105-107k), so it still yields every batch; the other weight
 * modes use the gate (a turn a batch was ~1.4 KB of garbage, collected on V8's helper threads).
 */
export function yieldGate(): () => boolean {
  return everyMs(YIELD_EVERY_MS, performance.now());
}

const HANG_SPIN = new Int32Array(1);
/** Fault 'pause' sleeps on this cell (Atomics.wait needs shared memory); nothing ever wakes it. */
const PAUSE_CELL = new Int32Array(new SharedArrayBuffer(4));

/** TEST ONLY: fail on purpose as FitTask.faultInjection says ('terminate' is done by the main thread; the worker waits for it). */
export function injectFault(task: FitTask, epoch: number, batch: number): void {
  const f = task.faultInjection;
  if (!f || f.worker !== task.workerId || f.atEpoch !== epoch) return;
  if (f.kind === "pause") {
    if (batch >= (f.atBatch ?? 0)) Atomics.wait(PAUSE_CELL, 0, 0, PAUSE_FAULT_MS);
    return;
  }
  if (f.kind === "terminate") {
    // The fault batch's progress message is out: wait for the main thread's terminate, which a warm
    // thread would otherwise outrun to the end of the fit.
    if (batch > (f.atBatch ?? 0)) Atomics.wait(PAUSE_CELL, 0, 0, PAUSE_FAULT_MS);
    return;
  }
  if ((f.atBatch ?? 0) !== batch) return;
  const message = `injected fault (${f.kind}) in worker ${task.workerId} at epoch ${epoch}${batch ? ` batch ${batch}` : ""}`;
  if (f.kind === "throw") throw new Error(message);
  if (f.kind === "reject") void Promise.reject(new Error(message));
  if (f.kind === "exit") process.exit(3);
  if (f.kind === "hang") {
    // Spin without a message or an exit: only the main thread's stall watchdog can end this.
    for (;;) Atomics.load(HANG_SPIN, 0);
  }
  if (f.kind === "oom") {
    // Keep allocating until the worker's resourceLimits end it (ERR_WORKER_OUT_OF_MEMORY).
    const hog: number[][] = [];
    for (;;) hog.push(new Array<number>(1 << 17).fill(epoch + 0.5));
  }
}

/** Asynchronous and hogwild: whether a push `stale` pushes old is dropped (config.maxStaleness); either way it is counted. */
export function countPush(staleness: Staleness, stale: number, config: ResolvedConfig): boolean {
  const drop = config.maxStaleness !== UNBOUNDED_STALENESS && stale > config.maxStaleness;
  addStaleness(staleness, stale);
  if (drop) staleness.dropped++;
  return drop;
}
