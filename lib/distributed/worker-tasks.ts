// What a worker does with its task: train its partition against the shared parameter store
// (synchronous / asynchronous / hogwild; 'gradients' in worker-gradients.ts, pushed gradients in
// worker-push-gradients.ts), or predict its rows.
// Runs inside worker threads only.
import { createRng, shuffledOrder } from "../random";
import { reseedDropout } from "../model/rnn";
import { makeTrainStep, runOnArrays } from "../model/train-step";
import { readFlatWeights, writeFlatWeights } from "../model/model-weights";
import { averageSlotsAcrossRanks, openCrossRank } from "./cross-rank";
import { gatherRows } from "./partition";
import type { FitTask, PredictTask, Staleness } from "./protocol";
import { countPush, injectFault, Post, predictRows, progressGate, setup, streamSeed, yieldGate, yieldToEventLoop } from "./worker-common";
import { WorkerEpochs } from "./worker-epochs";
import { runGradientFit } from "./worker-gradients";
import { runPushGradientFit } from "./worker-push-gradients";
import { learningRateFactor } from "./lr-scaling";
import { MomentExchange } from "./moment-exchange";

export type { Post } from "./worker-common";

export async function runPredict(task: PredictTask, post: Post): Promise<void> {
  const { model, store, rowSize, batchShape } = await setup(task, post);
  const y = predictRows(model, task.x, task.count, rowSize, batchShape, task.batchSize);
  post({ type: "predictions", workerId: task.workerId, y }, [y.buffer as ArrayBuffer]);
}

export async function runFit(task: FitTask, post: Post): Promise<void> {
  if (task.config.mode === "gradients") return runGradientFit(task, post);
  if (task.config.push === "gradients") return runPushGradientFit(task, post);
  const { config, workerId: id } = task;
  const { model, store, rowSize, batchShape } = await setup(task, post);
  // The native step keeps the weights to itself; they reach the model only where it is read (syncWeights).
  const step = makeTrainStep(model, { lazyWeights: true });
  const P = store.size;
  const epochs = new WorkerEpochs(task, post);
  const timing = epochs.timing;
  const before = new Float32Array(P);
  const after = new Float32Array(P);
  const yBuf = new Float32Array(config.batchSize);
  const xBuf = new Float32Array(config.batchSize * rowSize);
  const progressDue = progressGate(task.progressEveryBatch);
  const sync = config.mode === "synchronous";
  const locked = config.mode === "asynchronous";
  const crossRank = sync && task.crossRank ? openCrossRank(task.crossRank) : null;
  const seedId = task.seedWorker ?? id;
  const trainable = model.trainableWeights.reduce((a, w) => a + w.read().size, 0);
  const moments = task.moments ? new MomentExchange(task.moments, step, id, config.numWorkers, trainable) : null;
  const baseRate = step.learningRate;
  // The scaling counts every averaged replica: across ranks, all threads of all ranks.
  const lrWorkers = task.globalWorkers ?? config.numWorkers;
  // The native step's own weights have the store's layout: a round copies them directly, with no tfjs tensors.
  const own = step.weights;
  const toFlat = (into: Float32Array) => {
    if (own) into.set(own);
    else {
      step.syncWeights();
      readFlatWeights(model, into);
    }
  };
  const fromFlat = (from: Float32Array) => (own ? own.set(from) : writeFlatWeights(model, from));

  // Everyone starts from the same shared weights at the same moment (timing stays comparable).
  timing.barrierWaitMs += store.arriveAndWait(undefined, id).waitedMs;
  epochs.start();
  const tStore = performance.now();
  store.read(before); // the weights setup() loaded into the model and the step
  timing.paramStoreMs += performance.now() - tStore;

  // Staleness: how many other workers' deltas landed between this worker's read and its push.
  const staleness: Staleness = { pushes: 0, mean: 0, max: 0, dropped: 0 };
  let readVersion = 0;
  const readShared = (into: Float32Array) => {
    if (locked) timing.lockWaitMs += store.lock(id);
    const t = performance.now();
    readVersion = store.version();
    store.read(into);
    if (locked) store.unlock();
    fromFlat(into);
    timing.paramStoreMs += performance.now() - t;
  };

  // The epoch's row order, refilled and shuffled in place: batches are runs of it (garbage a batch is what V8's helper threads collect).
  const order = new Int32Array(task.count);
  // Synchronous per batch turns the event loop every batch (faster there: worker-common.ts); the others every YIELD_EVERY_MS.
  const yieldDue = sync && config.frequency === "batch" ? () => true : yieldGate();
  for (let epoch = task.initialEpoch; epoch < task.epochs; epoch++) {
    shuffledOrder(order, task.shuffle, streamSeed(config.seed, seedId, epoch, 1));
    const dropoutRng = createRng(streamSeed(config.seed, seedId, epoch, 2));
    const nextDropoutSeed = () => Math.floor(dropoutRng() * 2 ** 31);
    const batchCount = Math.ceil(order.length / config.batchSize);
    const perUnit = config.frequency === "epoch" ? Math.max(batchCount, 1) : config.syncEvery;
    const units = sync ? task.roundsPerEpoch : Math.ceil(batchCount / perUnit);

    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    let batchNo = 0;
    if (batchCount === 0) injectFault(task, epoch, 0);
    for (let u = 0; u < units; u++) {
      if (!sync) readShared(before);
      let unitSamples = 0;
      // A synchronous worker with fewer batches than rounds still meets every barrier, with an empty unit.
      const unitEnd = Math.min((u + 1) * perUnit, batchCount);
      for (let bi = u * perUnit; bi < unitEnd; bi++) {
        const idx = order.subarray(bi * config.batchSize, Math.min((bi + 1) * config.batchSize, order.length));
        injectFault(task, epoch, batchNo);
        if (config.lrScaling !== "none") {
          step.learningRate = baseRate * learningRateFactor(config.lrScaling, lrWorkers, config.warmupEpochs, epoch + batchNo / batchCount);
        }
        const b = idx.length;
        const x = gatherRows(task.x, rowSize, idx, xBuf);
        for (let k = 0; k < b; k++) yBuf[k] = task.y[idx[k]];
        reseedDropout(model, nextDropoutSeed);
        const t = performance.now();
        const ran = runOnArrays(step, x, yBuf.subarray(0, b), b, batchShape(b));
        const [loss, acc] = ran instanceof Promise ? await ran : ran;
        timing.computeMs += performance.now() - t;
        lossSum += loss * b;
        accSum += acc * b;
        seen += b;
        unitSamples += b;
        if (progressDue(batchNo === batchCount - 1)) {
          post({ type: "progress", workerId: id, epoch, batch: batchNo, batches: batchCount, loss, acc, samples: b });
        }
        batchNo++;
        if (yieldDue()) await yieldToEventLoop();
      }
      timing.rounds++;
      if (sync) {
        let t = performance.now();
        toFlat(store.slot(id));
        store.setSamples(id, unitSamples);
        moments?.send(unitSamples);
        timing.paramStoreMs += performance.now() - t;
        const { waitedMs } = store.arriveAndWait(() => {
          const ta = performance.now();
          if (crossRank) averageSlotsAcrossRanks(store, crossRank, moments?.store ?? null);
          else {
            store.averageSlots();
            moments?.average();
          }
          timing.averagingMs += performance.now() - ta;
        }, id);
        timing.barrierWaitMs += waitedMs;
        t = performance.now();
        fromFlat(store.read(after));
        moments?.receive();
        timing.paramStoreMs += performance.now() - t;
      } else {
        const t = performance.now();
        toFlat(after);
        for (let i = 0; i < P; i++) after[i] -= before[i];
        timing.paramStoreMs += performance.now() - t;
        if (locked) timing.lockWaitMs += store.lock(id);
        const t2 = performance.now();
        if (!countPush(staleness, store.version() - readVersion, config)) store.addDelta(after);
        if (locked) store.unlock();
        timing.paramStoreMs += performance.now() - t2;
      }
    }

    if (epochs.validates) {
      if (!sync) readShared(before); // evaluate the shared weights, not this worker's local copy
      if (own) step.syncWeights(); // the model is read next; fromFlat left it stale
    }
    const val = epochs.validate(model, rowSize, batchShape);
    // Synchronous: every worker now holds the average of the epoch's last round in `after`.
    epochs.record({ epoch, batches: batchCount, lossSum, accSum, seen }, val, task.snapshot && sync && id === 0 ? after.slice() : null);
  }
  epochs.done(step, sync ? null : staleness);
}
