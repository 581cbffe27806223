// A small posture classifier for the original project's token input: k-means on the z-scored
// numeric features learns K posture centroids, and each frame is classified to its nearest one.
// It is unsupervised on purpose: the URFD annotation column is a posture label whose falling
// segment is always 30 frames long, so learning postures from it would leak the answer.
import { FrameTable } from "../types";
import { createRng } from "../random";
import { STD_FLOOR } from "./scaler";

export interface PostureCodebook {
  featureNames: string[];
  /** Per-feature mean and standard deviation of the frames the codebook was fitted on. */
  mean: number[];
  std: number[];
  /** K centroids in z units, ordered by descending centroid height `D` (token 0 = most upright). */
  centroids: number[][];
}

export interface PostureOptions {
  /** Number of postures K (tokens 0..K-1). */
  postures: number;
  seed: number;
  /** Lloyd iterations at most (stops earlier when no frame changes cluster). */
  iterations?: number;
}

/** Fit K posture centroids on every row of `table` (features only; labels are never read). */
export function fitPostureCodebook(table: FrameTable, opts: PostureOptions): PostureCodebook {
  const K = opts.postures;
  const n = table.rows;
  const F = table.featureNames.length;
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`postures must be an integer >= 2, got ${K}`);
  if (n < K) throw new RangeError(`${n} frames cannot give ${K} postures`);
  const { mean, std } = featureMoments(table);
  const z = new Float64Array(n * F);
  for (let r = 0; r < n; r++) for (let j = 0; j < F; j++) z[r * F + j] = (table.features[r * F + j] - mean[j]) / std[j];

  const centroids = kMeansPlusPlus(z, n, F, K, createRng(opts.seed));
  const assign = new Int32Array(n).fill(-1);
  for (let it = 0; it < (opts.iterations ?? 100); it++) {
    let changed = 0;
    for (let r = 0; r < n; r++) {
      const c = nearest(z, r * F, centroids, F);
      if (c !== assign[r]) changed++;
      assign[r] = c;
    }
    recomputeCentroids(z, n, F, assign, centroids);
    if (changed === 0) break;
  }

  const dIndex = table.featureNames.indexOf("D");
  const order = centroids.map((_, k) => k);
  if (dIndex >= 0) order.sort((a, b) => centroids[b][dIndex] - centroids[a][dIndex]);
  return { featureNames: [...table.featureNames], mean, std, centroids: order.map((k) => Array.from(centroids[k])) };
}

/** The posture token (nearest centroid) of every row. */
export function classifyPostures(codebook: PostureCodebook, table: FrameTable): Int32Array {
  const F = codebook.featureNames.length;
  if (table.featureNames.length !== F || table.featureNames.some((f, j) => f !== codebook.featureNames[j])) {
    throw new Error(`posture codebook expects features ${codebook.featureNames.join(", ")}, got ${table.featureNames.join(", ")}`);
  }
  const z = new Float64Array(F);
  const cs = codebook.centroids.map((c) => Float64Array.from(c));
  const out = new Int32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    for (let j = 0; j < F; j++) z[j] = (table.features[r * F + j] - codebook.mean[j]) / codebook.std[j];
    out[r] = nearest(z, 0, cs, F);
  }
  return out;
}

function featureMoments(table: FrameTable): { mean: number[]; std: number[] } {
  const F = table.featureNames.length;
  const mean = new Array<number>(F).fill(0);
  const sq = new Array<number>(F).fill(0);
  for (let r = 0; r < table.rows; r++) for (let j = 0; j < F; j++) mean[j] += table.features[r * F + j];
  for (let j = 0; j < F; j++) mean[j] /= table.rows;
  for (let r = 0; r < table.rows; r++) for (let j = 0; j < F; j++) sq[j] += (table.features[r * F + j] - mean[j]) ** 2;
  return { mean, std: sq.map((s) => Math.max(Math.sqrt(s / table.rows), STD_FLOOR)) };
}

function distance2(z: Float64Array, at: number, c: Float64Array, F: number): number {
  let d = 0;
  for (let j = 0; j < F; j++) d += (z[at + j] - c[j]) ** 2;
  return d;
}

function nearest(z: Float64Array, at: number, centroids: Float64Array[], F: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < centroids.length; k++) {
    const d = distance2(z, at, centroids[k], F);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** k-means++ seeding: spread initial centroids so the result does not hinge on a lucky draw. */
function kMeansPlusPlus(z: Float64Array, n: number, F: number, K: number, rng: () => number): Float64Array[] {
  const first = Math.floor(rng() * n);
  const centroids = [z.slice(first * F, first * F + F)];
  const d2 = new Float64Array(n).fill(Infinity);
  while (centroids.length < K) {
    const last = centroids[centroids.length - 1];
    let total = 0;
    for (let r = 0; r < n; r++) {
      d2[r] = Math.min(d2[r], distance2(z, r * F, last, F));
      total += d2[r];
    }
    let pick = n - 1;
    let u = rng() * total;
    for (let r = 0; r < n; r++) {
      u -= d2[r];
      if (u <= 0) {
        pick = r;
        break;
      }
    }
    centroids.push(z.slice(pick * F, pick * F + F));
  }
  return centroids;
}

function recomputeCentroids(z: Float64Array, n: number, F: number, assign: Int32Array, centroids: Float64Array[]): void {
  const sums = centroids.map(() => new Float64Array(F));
  const counts = new Int32Array(centroids.length);
  for (let r = 0; r < n; r++) {
    counts[assign[r]]++;
    for (let j = 0; j < F; j++) sums[assign[r]][j] += z[r * F + j];
  }
  // An emptied cluster keeps its centroid rather than becoming NaN.
  for (let k = 0; k < centroids.length; k++) if (counts[k] > 0) for (let j = 0; j < F; j++) centroids[k][j] = sums[k][j] / counts[k];
}
