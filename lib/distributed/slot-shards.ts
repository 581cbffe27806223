// Mode 'gradients' with sampling 'shards' deals the training rows ONCE into one shard per micro-batch slot (stratified,
// seeded); every epoch each shard is shuffled on its own seed and micro-batch m of global batch k is
// shard m's next rows. The slots, not the workers, own the data: whoever computes slot m needs only
// shard m, so a rank holds only its slots' shards and any number of workers trains the same model.
import { shuffledOrder } from "../random";
import { batchSlice, contiguousRanges, stratifiedPartition } from "./partition";

/** Where each slot's shard lies in a worker's rows: sizes of all shards, and the first row of each held one (−1: not held). */
export interface ShardLayout {
  sizes: number[];
  offsets: number[];
}

/**
 * Training rows 0..nTrain-1 dealt to `slots` shards: stratified and seeded when shuffling (sizes and
 * each class's share within one), else contiguous runs in data order.
 */
export function dealSlotShards(y: Float32Array, slots: number, seed: number, nTrain: number, shuffle: boolean): Int32Array[] {
  if (shuffle) return stratifiedPartition(y, slots, seed, Int32Array.from({ length: nTrain }, (_, i) => i));
  return contiguousRanges(nTrain, slots).map(({ start, end }) => Int32Array.from({ length: end - start }, (_, i) => start + i));
}

/** Rows micro-batch m takes from its shard per global batch: batch m's slice of batchSize. */
export function sliceRows(batchSize: number, slots: number, m: number): number {
  const { lo, hi } = batchSlice(batchSize, slots, m);
  if (hi <= lo) throw new RangeError(`a global batch of ${batchSize} rows gives micro-batch ${m} of ${slots} no row`);
  return hi - lo;
}

/** Global batches an epoch: until the shard that lasts longest is used up. */
export function batchesPerEpoch(sizes: readonly number[], batchSize: number): number {
  return Math.max(0, ...sizes.map((s, m) => Math.ceil(s / sliceRows(batchSize, sizes.length, m))));
}

/** Micro-batch m of global batch k: rows [start, start + count) of shard m's epoch order. */
export function microBatch(sizes: readonly number[], batchSize: number, k: number, m: number): { start: number; count: number } {
  const c = sliceRows(batchSize, sizes.length, m);
  const start = Math.min(k * c, sizes[m]);
  return { start, count: Math.min(c, sizes[m] - start) };
}

/** Rows of every micro-batch of global batch k (what each slot weighs in the average). */
export function batchCounts(sizes: readonly number[], batchSize: number, k: number): number[] {
  return sizes.map((_, m) => microBatch(sizes, batchSize, k, m).count);
}

/** A shard's order this epoch (positions within the shard), shuffled on `seed` (of the epoch and slot alone) when shuffling. */
export function shardOrder(size: number, shuffle: boolean, seed: number): Int32Array {
  return shuffledOrder(new Int32Array(size), shuffle, seed);
}

/** The layout of a worker holding shards [lo, hi) back to back (in slot order) from row 0. */
export function heldLayout(sizes: readonly number[], lo: number, hi: number): ShardLayout {
  let at = 0;
  const offsets = sizes.map((s, m) => {
    if (m < lo || m >= hi) return -1;
    const o = at;
    at += s;
    return o;
  });
  return { sizes: [...sizes], offsets };
}

/** Training rows of shards [lo, hi). */
export function heldRows(sizes: readonly number[], lo: number, hi: number): number {
  return sizes.slice(lo, hi).reduce((a, b) => a + b, 0);
}

/** Row indices (into the training rows) of shards [lo, hi), in slot order: what gatherRows copies for a holder. */
export function heldIndices(shards: readonly Int32Array[], lo: number, hi: number): Int32Array {
  const out = new Int32Array(heldRows(shards.map((s) => s.length), lo, hi));
  let at = 0;
  for (let m = lo; m < hi; m++) {
    out.set(shards[m], at);
    at += shards[m].length;
  }
  return out;
}
