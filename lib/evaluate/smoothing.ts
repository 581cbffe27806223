// Temporal smoothing of window scores: the detector raises an alarm when the mean of the last k
// windows of a recording (in time order) crosses the threshold, so one spiky window is not a fall.
import type { WindowSet } from "../types";

/** 3 windows (stride 4: about 0.3 s at 30 fps) gave the best specificity in 5-fold CV (README). */
export const DEFAULT_SMOOTH = 3;

export type SmoothWindows = Pick<WindowSet, "count" | "seq" | "lastFrame">;

/** Mean of each window's score and the k−1 windows before it in the same recording; k = 1 is the identity. */
export function smoothScores(probs: ArrayLike<number>, windows: SmoothWindows, k: number): Float32Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`smoothScores: k must be a positive integer, got ${k}`);
  if (probs.length !== windows.count) throw new RangeError(`smoothScores: ${probs.length} scores for ${windows.count} windows`);
  const out = Float32Array.from(probs);
  if (k === 1) return out;
  const bySeq = new Map<number, number[]>();
  for (let i = 0; i < windows.count; i++) {
    const list = bySeq.get(windows.seq[i]);
    if (list) list.push(i);
    else bySeq.set(windows.seq[i], [i]);
  }
  for (const idx of bySeq.values()) {
    idx.sort((a, b) => windows.lastFrame[a] - windows.lastFrame[b]);
    let sum = 0;
    for (let j = 0; j < idx.length; j++) {
      sum += probs[idx[j]];
      if (j >= k) sum -= probs[idx[j - k]];
      out[idx[j]] = sum / Math.min(j + 1, k);
    }
  }
  return out;
}
