// What a worker does with its task: train its partition against the shared parameter store
// (synchronous / asynchronous / hogwild), or predict its rows. Runs inside worker threads only.
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../backend";
import { createRng, shuffleInPlace } from "../random";
import { reseedDropout } from "../model/rnn";
import { buildModelFromSpec, specInputShape } from "../model/spec";
import { makeTrainStep } from "../model/train-step";
import { makePredictor } from "../model/fused-model";
import { binaryMetricSums, MetricSums } from "./metrics";
import { readFlatWeights, writeFlatWeights } from "./model-weights";
import { ParamStore } from "./param-store";
import { averageSlotsAcrossRanks, openCrossRank } from "./cross-rank";
import { gatherRows } from "./partition";
import type { FitTask, PredictTask, WorkerHistory, WorkerTiming, WorkerToMain } from "./protocol";

export type Post = (msg: WorkerToMain, transfer?: ArrayBuffer[]) => void;

const PREDICT_MIN_BATCH = 256;

/** Same seed, worker and epoch → same stream, whichever thread asks. */
function streamSeed(seed: number, worker: number, epoch: number, salt: number): number {
  let h = (seed ^ Math.imul(worker + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(salt, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return h;
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

async function setup(task: FitTask | PredictTask, post: Post) {
  const t0 = performance.now();
  const backend = await initBackend();
  const model = buildModelFromSpec(task.spec);
  const shape = specInputShape(task.spec);
  const store = ParamStore.attach(task.store);
  post({ type: "ready", workerId: task.workerId, backend: backend.name, startupMs: performance.now() - t0 });
  const batchShape = (b: number) => (shape.tokens ? [b, shape.timesteps] : [b, shape.timesteps, shape.features]);
  return { model, store, rowSize: shape.timesteps * shape.features, batchShape };
}

function predictRows(model: tf.LayersModel, x: Float32Array, count: number, rowSize: number, batchShape: (b: number) => number[], batchSize: number): Float32Array {
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

export async function runPredict(task: PredictTask, post: Post): Promise<void> {
  const { model, store, rowSize, batchShape } = await setup(task, post);
  writeFlatWeights(model, store.read());
  const y = predictRows(model, task.x, task.count, rowSize, batchShape, Math.max(task.batchSize, PREDICT_MIN_BATCH));
  post({ type: "predictions", workerId: task.workerId, y }, [y.buffer as ArrayBuffer]);
}

export async function runFit(task: FitTask, post: Post): Promise<void> {
  const { config, workerId: id } = task;
  const { model, store, rowSize, batchShape } = await setup(task, post);
  const step = makeTrainStep(model);
  const P = store.size;
  const timing: WorkerTiming = {
    trainMs: 0, computeMs: 0, paramStoreMs: 0, averagingMs: 0, barrierWaitMs: 0, lockWaitMs: 0, rounds: 0, validationMs: 0,
  };
  const history: WorkerHistory = { loss: [], acc: [], samples: [], numTensors: [], epochEnd: [] };
  const before = new Float32Array(P);
  const after = new Float32Array(P);
  const yBuf = new Float32Array(config.batchSize);
  const sync = config.mode === "synchronous";
  const locked = config.mode === "asynchronous";
  const crossRank = sync && task.crossRank ? openCrossRank(task.crossRank) : null;
  const seedId = task.seedWorker ?? id;

  // Everyone starts from the same shared weights at the same moment (timing stays comparable).
  timing.barrierWaitMs += store.arriveAndWait(undefined, id).waitedMs;
  const trainStart = now();
  const tStore = performance.now();
  writeFlatWeights(model, store.read(before));
  timing.paramStoreMs += performance.now() - tStore;

  const readShared = (into: Float32Array) => {
    if (locked) timing.lockWaitMs += store.lock(id);
    const t = performance.now();
    store.read(into);
    if (locked) store.unlock();
    writeFlatWeights(model, into);
    timing.paramStoreMs += performance.now() - t;
  };

  for (let epoch = task.initialEpoch; epoch < task.epochs; epoch++) {
    const order = Array.from({ length: task.count }, (_, i) => i);
    if (task.shuffle) shuffleInPlace(order, createRng(streamSeed(config.seed, seedId, epoch, 1)));
    const dropoutRng = createRng(streamSeed(config.seed, seedId, epoch, 2));
    const nextDropoutSeed = () => Math.floor(dropoutRng() * 2 ** 31);
    const batches: number[][] = [];
    for (let s = 0; s < order.length; s += config.batchSize) batches.push(order.slice(s, s + config.batchSize));
    const perUnit = config.frequency === "epoch" ? Math.max(batches.length, 1) : config.syncEvery;
    const units = sync ? task.roundsPerEpoch : Math.ceil(batches.length / perUnit);

    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    let batchNo = 0;
    if (batches.length === 0) injectFault(task, epoch, 0);
    for (let u = 0; u < units; u++) {
      const unit = batches.slice(u * perUnit, (u + 1) * perUnit);
      if (!sync) readShared(before);
      let unitSamples = 0;
      for (const idx of unit) {
        injectFault(task, epoch, batchNo);
        const b = idx.length;
        const xs = tf.tensor(gatherRows(task.x, rowSize, idx), batchShape(b));
        for (let k = 0; k < b; k++) yBuf[k] = task.y[idx[k]];
        const ys = tf.tensor2d(yBuf.slice(0, b), [b, 1]);
        reseedDropout(model, nextDropoutSeed);
        const t = performance.now();
        const [loss, acc] = await step.run(xs, ys);
        timing.computeMs += performance.now() - t;
        xs.dispose();
        ys.dispose();
        lossSum += loss * b;
        accSum += acc * b;
        seen += b;
        unitSamples += b;
        post({ type: "progress", workerId: id, epoch, batch: batchNo++, batches: batches.length, loss, acc, samples: b });
        await yieldToEventLoop();
      }
      timing.rounds++;
      if (sync) {
        let t = performance.now();
        readFlatWeights(model, store.slot(id));
        store.setSamples(id, unitSamples);
        timing.paramStoreMs += performance.now() - t;
        const { waitedMs } = store.arriveAndWait(() => {
          const ta = performance.now();
          if (crossRank) averageSlotsAcrossRanks(store, crossRank);
          else store.averageSlots();
          timing.averagingMs += performance.now() - ta;
        }, id);
        timing.barrierWaitMs += waitedMs;
        t = performance.now();
        writeFlatWeights(model, store.read(after));
        timing.paramStoreMs += performance.now() - t;
      } else {
        const t = performance.now();
        readFlatWeights(model, after);
        for (let i = 0; i < P; i++) after[i] -= before[i];
        timing.paramStoreMs += performance.now() - t;
        if (locked) timing.lockWaitMs += store.lock(id);
        const t2 = performance.now();
        store.addDelta(after);
        if (locked) store.unlock();
        timing.paramStoreMs += performance.now() - t2;
      }
    }

    let val: MetricSums | null = null;
    if (task.val && task.val.count > 0) {
      if (!sync) readShared(before); // evaluate the shared weights, not this worker's local copy
      const t = performance.now();
      const pred = predictRows(model, task.val.x, task.val.count, rowSize, batchShape, Math.max(config.batchSize, PREDICT_MIN_BATCH));
      val = binaryMetricSums(pred, task.val.y);
      timing.validationMs += performance.now() - t;
    }
    const numTensors = tf.memory().numTensors;
    const loss = seen ? lossSum / seen : NaN;
    const acc = seen ? accSum / seen : NaN;
    history.loss.push(loss);
    history.acc.push(acc);
    history.samples.push(seen);
    history.numTensors.push(numTensors);
    history.epochEnd.push(now());
    // Synchronous: every worker now holds the average of the epoch's last round in `after`.
    const weights = task.snapshot && sync && id === 0 ? after.slice() : null;
    post({ type: "epoch", workerId: id, epoch, batches: batches.length, loss, acc, samples: seen, val, numTensors, weights }, weights ? [weights.buffer] : []);
  }
  const trainEnd = now();
  timing.trainMs = trainEnd - trainStart;
  post({ type: "done", workerId: id, history, timing, trainStart, trainEnd, kernel: step.kernel, ...(step.reason ? { kernelNote: step.reason } : {}) });
}

/**
 * A training step resolves through microtasks only, so without this a whole epoch is one macrotask and
 * Node would notice an unhandled rejection (or run a timer) only when training ends.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const HANG_SPIN = new Int32Array(1);

/** TEST ONLY: fail on purpose as FitTask.faultInjection says ('terminate' is done by the main thread). */
function injectFault(task: FitTask, epoch: number, batch: number): void {
  const f = task.faultInjection;
  if (!f || f.worker !== task.workerId || f.atEpoch !== epoch || (f.atBatch ?? 0) !== batch) return;
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
