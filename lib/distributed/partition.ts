// Split windows between workers: equal window counts (the barrier waits for the slowest worker),
// both classes in every partition where possible, seeded.
import { gatherRowsKernel } from "../model/fused-rnn";
import { createRng, shuffleInPlace } from "../random";

/**
 * Indices 0..n-1 (or `among`) dealt to `parts` partitions: each class shuffled, then dealt
 * round-robin positives first and negatives continuing where positives stopped, so partition sizes
 * differ by at most one and each class's share by at most one. Each partition is then shuffled.
 */
export function stratifiedPartition(y: Float32Array, parts: number, seed: number, among?: ArrayLike<number>): Int32Array[] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`parts must be a positive integer; got ${parts}`);
  const rng = createRng(seed);
  const ids = among ? Array.from(among) : Array.from({ length: y.length }, (_, i) => i);
  const pos = shuffleInPlace(ids.filter((i) => y[i] >= 0.5), rng);
  const neg = shuffleInPlace(ids.filter((i) => y[i] < 0.5), rng);
  const dealt: number[][] = Array.from({ length: parts }, () => []);
  [...pos, ...neg].forEach((id, k) => dealt[k % parts].push(id));
  return dealt.map((p) => Int32Array.from(shuffleInPlace(p, rng)));
}

/** Contiguous, near-equal [start, end) ranges covering 0..count-1 (predict and validation keep row order). */
export function contiguousRanges(count: number, parts: number): { start: number; end: number }[] {
  const base = Math.floor(count / parts);
  const extra = count % parts;
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const end = start + base + (p < extra ? 1 : 0);
    out.push({ start, end });
    start = end;
  }
  return out;
}

/**
 * Rows 0..count in runs of whole `batch`-row batches, split into at most `parts` contiguous ranges: every row sits in
 * the same batch, so its prediction rounds the same way, whatever the number of parts.
 */
export function wholeBatchRanges(count: number, batch: number, parts: number): { start: number; end: number }[] {
  const batches = Math.ceil(count / batch);
  return contiguousRanges(batches, Math.min(parts, batches)).map(({ start, end }) => ({ start: start * batch, end: Math.min(end * batch, count) }));
}

/**
 * Copy the rows `indices` (each `rowSize` floats) into a new array (one buffer to transfer), or into the front
 * of `into`, a buffer a training loop reuses batch after batch (the view returned is valid until its next call).
 */
export function gatherRows(src: Float32Array, rowSize: number, indices: ArrayLike<number>, into?: Float32Array): Float32Array {
  const out = into ? into.subarray(0, indices.length * rowSize) : new Float32Array(indices.length * rowSize);
  // Natively where built: the loop below makes a view a row, a training batch's main garbage.
  const native = gatherRowsKernel();
  if (native && indices instanceof Int32Array) {
    native(src, rowSize, indices, out);
    return out;
  }
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    out.set(src.subarray(i * rowSize, (i + 1) * rowSize), k * rowSize);
  }
  return out;
}

/** Worker w's contiguous share [lo, hi) of a global batch of `rows` rows split between `workers`: sizes differ by at most one. */
export function batchSlice(rows: number, workers: number, w: number): { lo: number; hi: number } {
  const lo = Math.floor((w * rows) / workers);
  return { lo, hi: lo + sliceSize(rows, workers, w) };
}

/** How many rows batchSlice(rows, workers, w) holds, without making its object (called a slot a batch). */
export function sliceSize(rows: number, workers: number, w: number): number {
  return Math.floor(((w + 1) * rows) / workers) - Math.floor((w * rows) / workers);
}

/**
 * Rows worker w computes per epoch in mode 'gradients' with global sampling: `count` rows in global
 * batches of `batchSize`, each cut into `microBatches` slices, the slices dealt to workers in contiguous runs.
 */
export function rowsPerEpoch(count: number, batchSize: number, microBatches: number, workers: number, w: number): number {
  const mine = batchSlice(microBatches, workers, w);
  let n = 0;
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    n += batchSlice(rows, microBatches, mine.hi).lo - batchSlice(rows, microBatches, mine.lo).lo;
  }
  return n;
}

/** A copy of `values` in a SharedArrayBuffer: posted to every worker without a copy each. */
export function toShared(values: Float32Array): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(values.length * 4));
  out.set(values);
  return out;
}
