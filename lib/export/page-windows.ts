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
 * time order; inputs are the features and, per lag, their differences (per frame of gap, from
 * frame max(0, r − lag); 0 on the first frame), standardised.
 */
export function pageWindows(
  features: number[][],
  frames: number[],
  scaler: { mean: number[]; std: number[] },
  T: number,
  stride: number,
  diffLags: number[],
): PageWindows {
  const n = features.length;
  const nf = n > 0 ? features[0].length : 0;
  const F = nf * (1 + diffLags.length);
  const rows = new Float32Array(n * F);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < nf; j++) rows[r * F + j] = (Math.fround(features[r][j]) - scaler.mean[j]) / scaler.std[j];
    for (let k = 0; k < diffLags.length; k++) {
      const p = Math.max(0, r - diffLags[k]);
      const gap = Math.max(1, frames[r] - frames[p]);
      const at = nf * (k + 1);
      for (let j = 0; j < nf; j++) {
        const d = r > 0 ? Math.fround((Math.fround(features[r][j]) - Math.fround(features[p][j])) / gap) : 0;
        rows[r * F + at + j] = (d - scaler.mean[at + j]) / scaler.std[at + j];
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
