// Mode 'gradients' inside a worker. Every epoch's global batches are cut into micro-batch slots the
// same way in every worker (epoch-batches.ts: one shuffle of all rows, or with sampling 'shards' one
// shard of the rows per slot); the threads of a process (a rank's, in a cluster) take its slots one
// at a time, so a faster thread computes more of them, and write each slot's gradient into that slot;
// at the barrier the slots are averaged weighted by rows, in slot order; every worker applies that
// same Adam step. Each micro-batch's gradient is the same bits whoever computes it, so 1..microBatches
// workers (threads or ranks) train bit-identically; with 'shards' each rank holds only its slots' shards.
// Loss and accuracy are accounted per worker over a fixed run of slots, whoever computed them.
import { createRng } from "../random";
import { GradientStep, makeGradientStep } from "../model/gradient-step";
import { averageGradientSlotsAcrossRanks, CrossRankExchange, openCrossRank } from "./cross-rank";
import { batchSlice, gatherRows } from "./partition";
import { EpochBatches, globalEpoch, shardEpoch } from "./epoch-batches";
import type { FitTask, WorkerTiming } from "./protocol";
import type { ParamStore } from "./param-store";
import { DOUBLE_ZERO, injectFault, Post, progressGate, setup, streamSeed, yieldGate, yieldToEventLoop } from "./worker-common";
import { WorkerEpochs } from "./worker-epochs";

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

/** Where a worker's rounds read and write: runGradientFit says what each is. */
interface RoundSlots {
  rowSize: number;
  rankSlots: SlotRange;
  owned: SlotRange;
}

interface SlotRange {
  lo: number;
  hi: number;
}

/**
 * One global batch at a time: this thread's slots, the barrier, the accounting and the Adam step. Written so that V8
 * compiles it once a thread and keeps that code from fit to fit: a method, not a closure made in each fit (V8
 * specialises a function's first closure to its context); and what it reads every round sits in fields of class
 * instances, not in object literals made once a fit (a literal's second making, in the next fit, widened its fields'
 * types, which threw the compiled code away). Compiling it again took 14-20 ms on the worker's own thread (concurrent
 * recompilation is off, jit-threads.ts) while the other threads waited at the barrier.
 */
class GradientRounds {
  /** This worker's share of the loss and accuracy: sums over the epoch so far, and over the last global batch. */
  readonly sums = new RoundSums();
  /** Where slot m's rows sit in the global batch: its dropout masks are that slice of the batch's. */
  private readonly starts: Int32Array;
  /** Global batches since the fit began, alike in every worker: the parity of the slots' loss records. */
  private round = 0;
  private readonly K: number;
  /** The batch's Dropout seeds (each < 2^31), reused every round. */
  private readonly seeds: Int32Array;
  private readonly rowSize: number;
  private readonly rankSlots: SlotRange;
  private readonly rankLo: number;
  private readonly rankHi: number;
  private readonly ownedLo: number;
  private readonly ownedHi: number;
  private readonly xBuf: Float32Array;
  private readonly yBuf: Float32Array;

  constructor(
    private readonly task: FitTask,
    private readonly store: ParamStore,
    private readonly step: GradientStep,
    private readonly timing: WorkerTiming,
    private readonly crossRank: CrossRankExchange | null,
    slots: RoundSlots,
  ) {
    this.K = task.config.microBatches;
    this.starts = new Int32Array(this.K + 1);
    this.seeds = new Int32Array(step.dropoutLayers);
    step.reserveBatch(task.config.batchSize);
    this.rowSize = slots.rowSize;
    this.rankSlots = slots.rankSlots;
    this.rankLo = slots.rankSlots.lo;
    this.rankHi = slots.rankSlots.hi;
    this.ownedLo = slots.owned.lo;
    this.ownedHi = slots.owned.hi;
    this.xBuf = new Float32Array(task.config.batchSize * slots.rowSize);
    this.yBuf = new Float32Array(task.config.batchSize);
  }

  run(plan: EpochBatches, k: number, dropoutRng: () => number): void {
    const { store, step, timing, starts, K, sums, task, seeds, rowSize, rankLo, rankHi, xBuf, yBuf } = this;
    // The rows of every slot of this global batch, which every worker (and rank) computes alike.
    const counts = plan.counts(k);
    starts[0] = 0;
    for (let m = 0; m < K; m++) starts[m + 1] = starts[m] + counts[m];
    const rows = starts[K];
    // Every worker draws the batch's seeds, rows or not, so the streams stay aligned.
    for (let i = 0; i < seeds.length; i++) seeds[i] = Math.floor(dropoutRng() * 2 ** 31);
    for (let m = rankLo + store.claimSlot(); m < rankHi; m = rankLo + store.claimSlot()) {
      const count = counts[m];
      store.setSamples(m, count);
      if (count === 0) continue;
      const idx = plan.rows(k, m);
      const x = gatherRows(task.x, rowSize, idx, xBuf);
      for (let r = 0; r < count; r++) yBuf[r] = task.y[idx[r]];
      const t = performance.now();
      const [loss, acc] = step.compute(x, yBuf.subarray(0, count), { offset: starts[m], total: rows }, seeds, store.slot(m));
      timing.computeMs += performance.now() - t;
      store.setSlotStats(this.round, m, loss, acc);
      timing.microBatches!++;
    }
    const { crossRank, rankSlots } = this;
    const { waitedMs } = store.arriveAndWait(() => {
      store.resetClaims();
      const ta = performance.now();
      if (crossRank) averageGradientSlotsAcrossRanks(store, crossRank, rankSlots, counts);
      else store.averageSlots();
      timing.averagingMs += performance.now() - ta;
    }, task.workerId);
    timing.barrierWaitMs += waitedMs;
    // Every slot is in now: this worker's share of the loss, in slot order as when it computed its own.
    sums.batchLoss = 0;
    sums.batchAcc = 0;
    sums.batchRows = 0;
    for (let m = this.ownedLo; m < this.ownedHi; m++) {
      const count = counts[m];
      if (count === 0) continue;
      const loss = store.slotLoss(this.round, m);
      const acc = store.slotAccuracy(this.round, m);
      sums.lossSum += loss * count;
      sums.accSum += acc * count;
      sums.batchLoss += loss * count;
      sums.batchAcc += acc * count;
      sums.batchRows += count;
    }
    sums.seen += sums.batchRows;
    this.round++;
    timing.rounds++;
    // The average stays in the store until every worker (this one too) arrives at the next barrier.
    const t = performance.now();
    step.apply(store.params);
    timing.computeMs += performance.now() - t;
  }
}

/** A worker's loss and accuracy sums (see GradientRounds.sums): a class, for the reason GradientRounds gives. */
class RoundSums {
  lossSum = DOUBLE_ZERO;
  accSum = DOUBLE_ZERO;
  seen = 0;
  batchLoss = DOUBLE_ZERO;
  batchAcc = DOUBLE_ZERO;
  batchRows = 0;
}
