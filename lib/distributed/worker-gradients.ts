// Mode 'gradients' inside a worker. Every epoch's global batches are cut into micro-batch slots the
// same way in every worker (epoch-batches.ts: one shuffle of all rows, or with sampling 'shards' one
// shard of the rows per slot); the threads of a process (a rank's, in a cluster) take its slots one
// at a time, so a faster thread computes more of them, and write each slot's gradient into that slot;
// at the barrier the slots are averaged weighted by rows, in slot order; every worker applies that
// same Adam step. Each micro-batch's gradient is the same bits whoever computes it, so 1..microBatches
// workers (threads or ranks) train bit-identically; with 'shards' each rank holds only its slots' shards.
// Loss and accuracy are accounted per worker over a fixed run of slots, whoever computed them.
import { createRng } from "../random";
import { makeGradientStep } from "../model/gradient-step";
import { openCrossRank } from "./cross-rank";
import { batchSlice } from "./partition";
import { EpochBatches, globalEpoch, shardEpoch } from "./epoch-batches";
import type { FitTask } from "./protocol";
import { injectFault, Post, progressGate, setup, streamSeed, yieldGate, yieldToEventLoop } from "./worker-common";
import { WorkerEpochs } from "./worker-epochs";
import { GradientRounds } from "./gradient-rounds";

/** Seeds every worker draws alike: the global shuffle and the global batches' dropout masks. */
const GLOBAL_STREAM = -1;
/** Salt of shard m's per-epoch shuffle: SHARD_SALT + m (1 is the global shuffle's, 2 the dropout masks'). */
const SHARD_SALT = 1000;

export async function runGradientFit(task: FitTask, post: Post): Promise<void> {
  const { config, workerId: id } = task;
  if (!task.weights) throw new Error("mode 'gradients' needs FitTask.weights (the model's shared weights)");
  const { model, store, rowSize, batchShape } = await setup(task, post);
  const step = makeGradientStep(model);
  const weights = new Float32Array(task.weights, 0, store.size);
  const K = config.microBatches;
  const layout = task.shards;
  if (config.sampling === "shards" && (!layout || layout.sizes.length !== K)) throw new Error(`sampling 'shards' needs FitTask.shards with ${K} shard sizes (one per micro-batch slot)`);
  // A cluster rank's threads are workers first..first+numWorkers-1 of globalWorkers (R × threads).
  const globalId = task.seedWorker ?? id;
  const globalWorkers = task.globalWorkers ?? config.numWorkers;
  // The slots this worker accounts for (loss, accuracy, rows): the same run in every global batch.
  const owned = batchSlice(K, globalWorkers, globalId);
  const first = globalId - id;
  // The slots this process computes, shared out among its threads batch by batch.
  const rankSlots = { lo: batchSlice(K, globalWorkers, first).lo, hi: batchSlice(K, globalWorkers, first + config.numWorkers - 1).hi };
  const crossRank = task.crossRank ? openCrossRank(task.crossRank) : null;
  const epochs = new WorkerEpochs(task, post, { microBatches: true });
  const timing = epochs.timing;
  const B = config.batchSize;
  const progressDue = progressGate(task.progressEveryBatch);
  const yieldDue = yieldGate();

  const rounds = new GradientRounds(task, store, step, timing, crossRank, { rowSize, rankSlots, owned });
  const sums = rounds.sums;

  timing.barrierWaitMs += store.arriveAndWait(undefined, id).waitedMs;
  epochs.start();

  for (let epoch = task.initialEpoch; epoch < task.epochs; epoch++) {
    // Computed alike by every worker (seeds of the epoch, and of the slot, alone).
    const plan: EpochBatches = layout && config.sampling === "shards"
      ? shardEpoch(layout, B, rankSlots, task.shuffle, (m) => streamSeed(config.seed, GLOBAL_STREAM, epoch, SHARD_SALT + m))
      : globalEpoch(task.count, B, K, task.shuffle, streamSeed(config.seed, GLOBAL_STREAM, epoch, 1));
    const dropoutRng = createRng(streamSeed(config.seed, GLOBAL_STREAM, epoch, 2));
    const batches = plan.batches;
    sums.lossSum = 0;
    sums.accSum = 0;
    sums.seen = 0;
    const computedBefore = timing.microBatches!;
    if (batches === 0) injectFault(task, epoch, 0);
    for (let k = 0; k < batches; k++) {
      injectFault(task, epoch, k);
      rounds.run(plan, k, dropoutRng);
      const n = sums.batchRows;
      if (n > 0 && progressDue(k === batches - 1)) {
        post({ type: "progress", workerId: id, epoch, batch: k, batches, loss: sums.batchLoss / n, acc: sums.batchAcc / n, samples: n });
      }
      if (yieldDue()) await yieldToEventLoop();
    }

    // The native step keeps the weights outside the model: the model gets them only to validate. Syncing every epoch
    // ran ~60 tfjs calls a worker an epoch, which V8 compiled (10-20 ms a function) on the worker's own thread.
    if (epochs.validates) step.sync();
    const val = epochs.validate(model, rowSize, batchShape);
    // Every worker holds the same weights: worker 0 publishes them (fit's result and checkpoints).
    let snapshot: Float32Array | null = null;
    if (id === 0) {
      step.readWeights(weights);
      if (task.snapshot) snapshot = weights.slice();
    }
    epochs.record({ epoch, batches, lossSum: sums.lossSum, accSum: sums.accSum, seen: sums.seen }, val, snapshot, timing.microBatches! - computedBefore);
  }
  epochs.done(step, null);
}
