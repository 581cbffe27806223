// One epoch of mode 'gradients' as its global batches: for batch k, the rows of every micro-batch slot
// and which row of the worker's data is the r-th row of slot m. The two samplings of config.sampling:
// 'global' (one seeded shuffle of all rows, each batch cut into slots) and 'shards' (slot m takes its
// shard's next rows); either is computed alike by every worker, so any worker count trains the same.
import { batchSlice, sliceSize } from "./partition";
import { batchCounts, batchesPerEpoch, microBatch, ShardLayout, shardOrder } from "./slot-shards";
import { shuffledOrder } from "../random";

export interface EpochBatches {
  batches: number;
  /** Rows of every slot of global batch k (an array reused from call to call). */
  counts(k: number): ArrayLike<number>;
  /** Indices into the worker's rows of slot m's rows in batch k (slots the worker owns), in order: valid until the next call. */
  rows(k: number, m: number): Int32Array;
}

/** 'global': `count` rows shuffled on `seed` (when shuffling), global batch k = rows [kB, kB + B) of that order. */
export function globalEpoch(count: number, batchSize: number, slots: number, shuffle: boolean, seed: number): EpochBatches {
  const order = shuffledOrder(new Int32Array(count), shuffle, seed);
  const rowsOf = (k: number) => Math.min(batchSize, count - k * batchSize);
  // Filled every batch, made once an epoch: a worker's per-batch garbage is what V8's helper threads collect.
  const counts = new Int32Array(slots);
  return {
    batches: Math.ceil(count / batchSize),
    counts: (k) => {
      const rows = rowsOf(k);
      for (let m = 0; m < slots; m++) counts[m] = sliceSize(rows, slots, m);
      return counts;
    },
    rows: (k, m) => {
      const { lo, hi } = batchSlice(rowsOf(k), slots, m);
      return order.subarray(k * batchSize + lo, k * batchSize + hi);
    },
  };
}

/** 'shards': slot m's rows of batch k are its shard's next rows in this epoch's order of the shard (slots [lo, hi) held). */
export function shardEpoch(layout: ShardLayout, batchSize: number, held: { lo: number; hi: number }, shuffle: boolean, seedOf: (m: number) => number): EpochBatches {
  const orders = new Map<number, Int32Array>();
  for (let m = held.lo; m < held.hi; m++) orders.set(m, shardOrder(layout.sizes[m], shuffle, seedOf(m)));
  const rows = new Int32Array(batchSize);
  return {
    batches: batchesPerEpoch(layout.sizes, batchSize),
    counts: (k) => batchCounts(layout.sizes, batchSize, k),
    rows: (k, m) => {
      const { start, count } = microBatch(layout.sizes, batchSize, k, m);
      const order = orders.get(m)!;
      const offset = layout.offsets[m];
      for (let r = 0; r < count; r++) rows[r] = offset + order[start + r];
      return rows.subarray(0, count);
    },
  };
}
