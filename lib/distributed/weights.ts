// Pure weight arithmetic over flat Float32Arrays (or per-layer lists of them). No tf: the same
// functions run in workers, on the main thread and in tests.
import type { AdamState } from "../model/adam-state";

import { Shape, sizeOf, totalSize } from "../model/shape";

export type { Shape };
export { sizeOf, totalSize };
/** One flat vector, or a model's weights as one array per variable. */
export type Weights = Float32Array | readonly Float32Array[];

/** Concatenate per-variable arrays into one vector (into `out` when given). */
export function flatten(arrays: readonly Float32Array[], out?: Float32Array): Float32Array {
  const n = arrays.reduce((a, w) => a + w.length, 0);
  const flat = out ?? new Float32Array(n);
  if (flat.length !== n) throw new RangeError(`flatten: output has ${flat.length} floats, weights have ${n}`);
  let offset = 0;
  for (const w of arrays) {
    flat.set(w, offset);
    offset += w.length;
  }
  return flat;
}

/** Split a vector into copies shaped like `shapes`. */
export function unflatten(flat: Float32Array, shapes: readonly Shape[]): Float32Array[] {
  const n = totalSize(shapes);
  if (flat.length !== n) throw new RangeError(`unflatten: vector has ${flat.length} floats, shapes need ${n}`);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const s of shapes) {
    const size = sizeOf(s);
    out.push(flat.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

export function add(a: Float32Array, b: Float32Array): Float32Array;
export function add(a: readonly Float32Array[], b: readonly Float32Array[]): Float32Array[];
export function add(a: Weights, b: Weights): Weights {
  return zip(a, b, "add", (x, y) => x + y);
}

export function subtract(a: Float32Array, b: Float32Array): Float32Array;
export function subtract(a: readonly Float32Array[], b: readonly Float32Array[]): Float32Array[];
export function subtract(a: Weights, b: Weights): Weights {
  return zip(a, b, "subtract", (x, y) => x - y);
}

export function scale(a: Float32Array, k: number): Float32Array;
export function scale(a: readonly Float32Array[], k: number): Float32Array[];
export function scale(a: Weights, k: number): Weights {
  return a instanceof Float32Array ? a.map((x) => x * k) : a.map((w) => w.map((x) => x * k));
}

/** target += delta, in place (the parameter store's update). */
export function addInPlace(target: Float32Array, delta: Float32Array): void {
  if (target.length !== delta.length) throw new RangeError(`addInPlace: lengths ${target.length} and ${delta.length} differ`);
  for (let i = 0; i < target.length; i++) target[i] += delta[i];
}

/**
 * Mean of the vectors weighted by the samples each was trained on; zero-sample entries (empty
 * partitions, a worker with no batch in the round) do not count. Sums in float64, workers in
 * order, so every caller gets bit-identical output. Throws if every count is zero.
 */
export function weightedAverage(list: readonly Float32Array[], sampleCounts: readonly number[], out?: Float32Array): Float32Array {
  if (list.length === 0 || list.length !== sampleCounts.length) {
    throw new RangeError(`weightedAverage: ${list.length} weight vectors but ${sampleCounts.length} sample counts`);
  }
  const n = list[0].length;
  for (const w of list) if (w.length !== n) throw new RangeError(`weightedAverage: vectors of ${n} and ${w.length} floats`);
  for (const c of sampleCounts) if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`weightedAverage: bad sample count ${c}`);
  const used = sampleCounts.flatMap((c, i) => (c > 0 ? [i] : []));
  const total = used.reduce((a, i) => a + sampleCounts[i], 0);
  if (used.length === 0) throw new RangeError("weightedAverage: every sample count is zero");
  const result = out ?? new Float32Array(n);
  if (result.length !== n) throw new RangeError(`weightedAverage: output has ${result.length} floats, need ${n}`);
  const fractions = used.map((i) => sampleCounts[i] / total);
  const vectors = used.map((i) => list[i]);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < vectors.length; k++) s += fractions[k] * vectors[k][j];
    result[j] = s;
  }
  return result;
}

/**
 * The mean of weight vectors added one at a time (stochastic weight averaging's mean of epoch-end
 * weights), summed in float64 in the order added, so the same additions give the same bits.
 */
export class RunningMean {
  private readonly sum: Float64Array;
  private n = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`RunningMean: size must be a positive integer, got ${size}`);
    this.sum = new Float64Array(size);
  }

  get count(): number {
    return this.n;
  }

  add(w: Float32Array): void {
    if (w.length !== this.size) throw new RangeError(`RunningMean.add: expected ${this.size} floats, got ${w.length}`);
    for (let i = 0; i < w.length; i++) this.sum[i] += w[i];
    this.n++;
  }

  mean(): Float32Array {
    if (this.n === 0) throw new Error("RunningMean.mean: nothing was added");
    const out = new Float32Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.sum[i] / this.n;
    return out;
  }
}

function zip(a: Weights, b: Weights, name: string, f: (x: number, y: number) => number): Weights {
  if (a instanceof Float32Array && b instanceof Float32Array) return zipFlat(a, b, name, f);
  if (a instanceof Float32Array || b instanceof Float32Array || a.length !== b.length) {
    throw new RangeError(`${name}: weights have different layouts`);
  }
  return a.map((w, i) => zipFlat(w, b[i], name, f));
}

function zipFlat(a: Float32Array, b: Float32Array, name: string, f: (x: number, y: number) => number): Float32Array {
  if (a.length !== b.length) throw new RangeError(`${name}: lengths ${a.length} and ${b.length} differ`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i], b[i]);
  return out;
}

export type { AdamState } from "../model/adam-state";

/** Floats of a packed AdamState for `weights` weights: m, v, then the step count. */
export function adamStateSize(weights: number): number {
  return 2 * weights + 1;
}

/** [m | v | steps] into `out` (a slot of the moment store). */
export function packAdamState(s: AdamState, out: Float32Array = new Float32Array(adamStateSize(s.m.length))): Float32Array {
  const n = s.m.length;
  if (s.v.length !== n || out.length !== adamStateSize(n)) throw new RangeError(`packAdamState: m ${n}, v ${s.v.length} floats into ${out.length}`);
  out.set(s.m, 0);
  out.set(s.v, n);
  out[2 * n] = s.steps;
  return out;
}

/** The inverse of packAdamState, copying into `into` when given. */
export function unpackAdamState(packed: Float32Array, into?: AdamState): AdamState {
  if (packed.length % 2 !== 1) throw new RangeError(`unpackAdamState: ${packed.length} floats is not 2 × weights + 1`);
  const n = (packed.length - 1) / 2;
  const out = into ?? { m: new Float32Array(n), v: new Float32Array(n), steps: 0 };
  if (out.m.length !== n || out.v.length !== n) throw new RangeError(`unpackAdamState: ${n} weights into m ${out.m.length}, v ${out.v.length}`);
  out.m.set(packed.subarray(0, n));
  out.v.set(packed.subarray(n, 2 * n));
  out.steps = packed[2 * n];
  return out;
}

/**
 * Adam states averaged as weightedAverage averages weights (same row weights, zero counts ignored,
 * float64 sums in worker order): the moments element-wise and the step count, so the averaged bias
 * correction beta^t uses the mean t. Works on packed vectors, so the store averages its slots alike.
 */
export function averageAdamStates(states: readonly AdamState[], sampleCounts: readonly number[]): AdamState {
  return unpackAdamState(weightedAverage(states.map((s) => packAdamState(s)), sampleCounts));
}
