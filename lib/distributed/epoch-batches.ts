// One epoch of mode 'gradients' as its global batches: for batch k, the rows of every micro-batch slot
// and which row of the worker's data is the r-th row of slot m. The two samplings of config.sampling:
// 'global' (one seeded shuffle of all rows, each batch cut into slots) and 'shards' (slot m takes its
// shard's next rows); either is computed alike by every worker, so any worker count trains the same.
import { batchSlice } from "./partition";
import { batchCounts, batchesPerEpoch, microBatch, ShardLayout, shardOrder } from "./slot-shards";
import { createRng, shuffleInPlace } from "../random";

export interface EpochBatches {
  batches: number;
  /** Rows of every slot of global batch k. */
  counts(k: number): number[];
  /** Indices into the worker's rows of slot m's rows in batch k (slots the worker owns), in order. */
  rows(k: number, m: number): number[];
}

/** 'global': `count` rows shuffled on `seed` (when shuffling), global batch k = rows [kB, kB + B) of that order. */
export function globalEpoch(count: number, batchSize: number, slots: number, shuffle: boolean, seed: number): EpochBatches {
  const order = Array.from({ length: count }, (_, i) => i);
  if (shuffle) shuffleInPlace(order, createRng(seed));
  const rowsOf = (k: number) => Math.min(batchSize, count - k * batchSize);
  return {
    batches: Math.ceil(count / batchSize),
    counts: (k) => Array.from({ length: slots }, (_, m) => {
      const { lo, hi } = batchSlice(rowsOf(k), slots, m);
      return hi - lo;
    }),
    rows: (k, m) => {
      const { lo, hi } = batchSlice(rowsOf(k), slots, m);
      return order.slice(k * batchSize + lo, k * batchSize + hi);
    },
  };
}

/** 'shards': slot m's rows of batch k are its shard's next rows in this epoch's order of the shard (slots [lo, hi) held). */
export function shardEpoch(layout: ShardLayout, batchSize: number, held: { lo: number; hi: number }, shuffle: boolean, seedOf: (m: number) => number): EpochBatches {
  const orders = new Map<number, Int32Array>();
  for (let m = held.lo; m < held.hi; m++) orders.set(m, shardOrder(layout.sizes[m], shuffle, seedOf(m)));
  return {
    batches: batchesPerEpoch(layout.sizes, batchSize),
    counts: (k) => batchCounts(layout.sizes, batchSize, k),
    rows: (k, m) => {
      const { start, count } = microBatch(layout.sizes, batchSize, k, m);
      return Array.from(orders.get(m)!.subarray(start, start + count), (i) => layout.offsets[m] + i);
    },
  };
}
