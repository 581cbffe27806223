// One global batch of mode 'gradients' inside a worker (worker-gradients.ts runs the epochs around it): this
// thread's micro-batch slots, the barrier where the slots are averaged, the loss accounting and the Adam step.
import type { GradientStep } from "../model/gradient-step";
import { averageGradientSlotsAcrossRanks, CrossRankExchange } from "./cross-rank";
import type { EpochBatches } from "./epoch-batches";
import type { ParamStore } from "./param-store";
import { gatherRows } from "./partition";
import type { FitTask, WorkerTiming } from "./protocol";
import { DOUBLE_ZERO } from "./worker-common";

/** Where a worker's rounds read and write: runGradientFit says what each is. */
export interface RoundSlots {
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
export class GradientRounds {
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
      if (crossRank) averageGradientSlotsAcrossRanks(store, crossRank, rankSlots, Array.from(counts));
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
