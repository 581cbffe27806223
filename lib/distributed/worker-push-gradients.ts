// Asynchronous and hogwild with config.push 'gradients', inside a worker (Downpour SGD): every batch
// the worker reads the shared weights, computes its batch's gradient there, and applies it to the
// shared weights with the one shared Adam state (shared-adam.ts); asynchronous reads and applies
// under the store's lock, hogwild without it. With one worker this is plain sequential training; with
// N the same number of steps an epoch, each computed at weights up to a few steps old (measured as
// staleness and reported, as the delta modes do).
import { createRng, shuffledOrder } from "../random";
import { makeGradientStep } from "../model/gradient-step";
import { writeFlatWeights } from "../model/model-weights";
import { gatherRows } from "./partition";
import { SharedAdam } from "./shared-adam";
import type { FitTask, Staleness } from "./protocol";
import { countPush, injectFault, Post, progressGate, setup, streamSeed, yieldGate, yieldToEventLoop } from "./worker-common";
import { WorkerEpochs } from "./worker-epochs";

export async function runPushGradientFit(task: FitTask, post: Post): Promise<void> {
  const { config, workerId: id } = task;
  if (!task.adamState) throw new Error("push 'gradients' needs FitTask.adamState (the shared Adam state)");
  const { model, store, rowSize, batchShape } = await setup(task, post);
  const step = makeGradientStep(model);
  const hyper = step.adamHyper();
  const adam = new SharedAdam(task.adamState, store.size);
  const locked = config.mode === "asynchronous";
  const epochs = new WorkerEpochs(task, post);
  const timing = epochs.timing;
  const local = new Float32Array(store.size);
  const grad = new Float32Array(store.size);
  const yBuf = new Float32Array(config.batchSize);
  const xBuf = new Float32Array(config.batchSize * rowSize);
  const progressDue = progressGate(task.progressEveryBatch);
  const seedId = task.seedWorker ?? id;
  const staleness: Staleness = { pushes: 0, mean: 0, max: 0, dropped: 0 };
  let readAt = 0;
  /** The shared weights into `local` and the step (under the lock in asynchronous: no torn read). */
  const readShared = () => {
    if (locked) timing.lockWaitMs += store.lock(id);
    const t = performance.now();
    readAt = adam.steps();
    store.read(local);
    if (locked) store.unlock();
    step.load(local);
    timing.paramStoreMs += performance.now() - t;
  };

  // Worker 0 sets the optimizer up before the start barrier: everyone steps only after it.
  if (id === 0) adam.reset(hyper);
  timing.barrierWaitMs += store.arriveAndWait(undefined, id).waitedMs;
  epochs.start();

  // Refilled and shuffled in place each epoch; batches are runs of it (no garbage a batch for V8's helper threads to collect).
  const order = new Int32Array(task.count);
  const seeds = new Array<number>(step.dropoutLayers).fill(0);
  const yieldDue = yieldGate();
  for (let epoch = task.initialEpoch; epoch < task.epochs; epoch++) {
    shuffledOrder(order, task.shuffle, streamSeed(config.seed, seedId, epoch, 1));
    const dropoutRng = createRng(streamSeed(config.seed, seedId, epoch, 2));
    const batches = Math.ceil(order.length / config.batchSize);
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    if (batches === 0) injectFault(task, epoch, 0);
    for (let k = 0; k < batches; k++) {
      injectFault(task, epoch, k);
      readShared();
      const idx = order.subarray(k * config.batchSize, (k + 1) * config.batchSize);
      const b = idx.length;
      const x = gatherRows(task.x, rowSize, idx, xBuf);
      for (let r = 0; r < b; r++) yBuf[r] = task.y[idx[r]];
      // One seed a Dropout layer a batch, drawn as the delta modes draw them.
      for (let i = 0; i < seeds.length; i++) seeds[i] = Math.floor(dropoutRng() * 2 ** 31);
      let t = performance.now();
      const [loss, acc] = step.compute(x, yBuf.subarray(0, b), { offset: 0, total: b }, seeds, grad);
      timing.computeMs += performance.now() - t;
      if (locked) timing.lockWaitMs += store.lock(id);
      t = performance.now();
      if (!countPush(staleness, adam.steps() - readAt, config)) adam.apply(store.params, grad, hyper);
      if (locked) store.unlock();
      timing.paramStoreMs += performance.now() - t;
      timing.rounds++;
      lossSum += loss * b;
      accSum += acc * b;
      seen += b;
      if (progressDue(k === batches - 1)) post({ type: "progress", workerId: id, epoch, batch: k, batches, loss, acc, samples: b });
      if (yieldDue()) await yieldToEventLoop();
    }

    if (epochs.validates) {
      readShared(); // evaluate the shared weights as they are now
      writeFlatWeights(model, local);
    }
    epochs.record({ epoch, batches, lossSum, accSum, seen }, epochs.validate(model, rowSize, batchShape));
  }
  epochs.done(step, staleness);
}
