// The one hook that lets a cluster (lib/cluster) extend the synchronous barrier across processes:
// after the threads of this process averaged their slots, the barrier's last thread hands the
// average to a CrossRankExchange, which makes it the sample-weighted average over every process.
// The task carries only the path of the module that provides it (plain data); the worker loads it.
import type { ParamStore } from "./param-store";

export interface CrossRankExchange {
  /** values := the average over all ranks weighted by each rank's localSamples, in place; returns the total samples. */
  averageAcrossRanks(values: Float32Array, localSamples: number): number;
  /**
   * out := Σ_i counts[i] / Σ counts · slot(i) over every rank's slots, summed in float64 in slot order
   * exactly as weightedAverage sums them in one process, identical on every rank. This rank
   * contributes the slots in [own.lo, own.hi); ranks own contiguous runs in rank order.
   */
  averageInSlotOrder(slot: (i: number) => Float32Array, counts: readonly number[], own: { lo: number; hi: number }, out: Float32Array): void;
}

/** Plain data in FitTask: an absolute path to a compiled module exporting openCrossRankExchange(). */
export interface CrossRankHandle {
  module: string;
}

export function openCrossRank(handle: CrossRankHandle): CrossRankExchange {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(handle.module) as { openCrossRankExchange?: () => CrossRankExchange };
  if (typeof mod.openCrossRankExchange !== "function") throw new TypeError(`${handle.module} does not export openCrossRankExchange()`);
  return mod.openCrossRankExchange();
}

/**
 * Local weighted average, then across ranks. A rank whose threads brought no batch this round
 * keeps the previous shared weights and counts for nothing; all ranks together must bring some.
 * With `moments` (config.averageMoments) the Adam states, averaged locally with the same row
 * counts, travel in the same weighted allreduce as the weights: one collective per exchange.
 */
export function averageSlotsAcrossRanks(store: ParamStore, exchange: CrossRankExchange, moments: ParamStore | null = null): void {
  const local = store.samples().reduce((a, b) => a + b, 0);
  if (local > 0) {
    store.averageSlots();
    moments?.averageSlots();
  }
  const total = moments ? averageTogether(exchange, store.params, moments.params, local) : exchange.averageAcrossRanks(store.params, local);
  if (!(total > 0)) throw new RangeError("cross-rank average: no rank trained a sample this round");
}

/** Reused between exchanges: each worker thread has its own module instance, and one thread averages at a time. */
let packed = new Float32Array(0);

/** `a` and `b` averaged across ranks as one vector (one allreduce, one weight); returns the total weight. */
function averageTogether(exchange: CrossRankExchange, a: Float32Array, b: Float32Array, weight: number): number {
  if (packed.length !== a.length + b.length) packed = new Float32Array(a.length + b.length);
  packed.set(a, 0);
  packed.set(b, a.length);
  const total = exchange.averageAcrossRanks(packed, weight);
  a.set(packed.subarray(0, a.length));
  b.set(packed.subarray(a.length));
  return total;
}

/**
 * Mode 'gradients' across ranks: every rank computes every slot's rows itself (epoch-batches.ts), so the
 * slots are averaged by one chain through the ranks in order that continues one float64 sum — the
 * additions of one process, in its order — so R ranks × K threads train the 1-thread model bit for
 * bit, and each link carries the weights once, not every slot.
 */
export function averageGradientSlotsAcrossRanks(store: ParamStore, exchange: CrossRankExchange, own: { lo: number; hi: number }, counts: readonly number[]): void {
  if (!counts.some((n) => n > 0)) throw new RangeError("cross-rank gradient average: no rank computed a row this round");
  exchange.averageInSlotOrder((i) => store.slot(i), counts, own, store.params);
}
