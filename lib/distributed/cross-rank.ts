// The one hook that lets a cluster (lib/cluster) extend the synchronous barrier across processes:
// after the threads of this process averaged their slots, the barrier's last thread hands the
// average to a CrossRankExchange, which makes it the sample-weighted average over every process.
// The task carries only the path of the module that provides it (plain data); the worker loads it.
import type { ParamStore } from "./param-store";

export interface CrossRankExchange {
  /** values := the average over all ranks weighted by each rank's localSamples, in place; returns the total samples. */
  averageAcrossRanks(values: Float32Array, localSamples: number): number;
  /** values := the element-wise sum over all ranks, in place. */
  sumAcrossRanks(values: Float32Array): void;
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
 */
export function averageSlotsAcrossRanks(store: ParamStore, exchange: CrossRankExchange): void {
  const local = store.samples().reduce((a, b) => a + b, 0);
  if (local > 0) store.averageSlots();
  const total = exchange.averageAcrossRanks(store.params, local);
  if (!(total > 0)) throw new RangeError("cross-rank average: no rank trained a sample this round");
}

/**
 * Mode 'gradients' across ranks: every rank computed the micro-batch slots in [own.lo, own.hi);
 * the others are zeroed, then summed across ranks, so every rank holds every slot exactly (one
 * non-zero term each) and averages them in slot order, as one process would: bit for bit.
 */
export function averageGradientSlotsAcrossRanks(store: ParamStore, exchange: CrossRankExchange, own: { lo: number; hi: number }): void {
  const slots = store.slotCount;
  const samples = new Float32Array(slots);
  store.samples().forEach((n, i) => (samples[i] = i >= own.lo && i < own.hi ? n : 0));
  for (let i = 0; i < slots; i++) if (samples[i] === 0) store.slot(i).fill(0);
  exchange.sumAcrossRanks(store.allSlots());
  exchange.sumAcrossRanks(samples);
  for (let i = 0; i < slots; i++) store.setSamples(i, samples[i]);
  if (!samples.some((n) => n > 0)) throw new RangeError("cross-rank gradient average: no rank computed a row this round");
  store.averageSlots();
}
