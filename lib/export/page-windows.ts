// The windowing + scaling the browser demo runs. It is embedded in the page with
// Function.prototype.toString, so it must stay self-contained: no imports, no outside names.
// It mirrors makeWindows + applyScaler (float32 rounding included); the export test checks that.

export interface PageWindows {
  /** count × T × F, standardised. */
  x: Float32Array;
  count: number;
  /** Frame number of each window's last frame. */
  lastFrame: number[];
}

/**
 * Windows of T frames of one sequence, aligned to its end and stepping back by `stride`, in
 * time order; inputs are the features (and their per-frame differences), standardised.
 */
export function pageWindows(
  features: number[][],
  frames: number[],
  scaler: { mean: number[]; std: number[] },
  T: number,
  stride: number,
  withDiffs: boolean,
): PageWindows {
  const n = features.length;
  const nf = n > 0 ? features[0].length : 0;
  const F = withDiffs ? 2 * nf : nf;
  const rows = new Float32Array(n * F);
  for (let r = 0; r < n; r++) {
    const gap = r > 0 ? Math.max(1, frames[r] - frames[r - 1]) : 1;
    for (let j = 0; j < nf; j++) {
      const v = Math.fround(features[r][j]);
      rows[r * F + j] = (v - scaler.mean[j]) / scaler.std[j];
      if (withDiffs) {
        const d = r > 0 ? Math.fround((v - Math.fround(features[r - 1][j])) / gap) : 0;
        rows[r * F + nf + j] = (d - scaler.mean[nf + j]) / scaler.std[nf + j];
      }
    }
  }
  const starts: number[] = [];
  for (let end = n; end - T >= 0; end -= stride) starts.push(end - T);
  starts.reverse();
  const x = new Float32Array(starts.length * T * F);
  starts.forEach((s, w) => x.set(rows.subarray(s * F, (s + T) * F), w * T * F));
  return { x, count: starts.length, lastFrame: starts.map((s) => frames[s + T - 1]) };
}
