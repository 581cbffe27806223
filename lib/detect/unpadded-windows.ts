// A padded run scores windows that start before T real frames exist; its window AUC over the others is the
// figure an unpadded run reports, so the two can be compared.
import type { FrameDataset, WindowSet } from "../types";
import { evaluateAll } from "../evaluate";
import { takeWindows } from "../data/split";
import { windowsWithRealFrames } from "../data/pad-starts";
import { onStrideGrid } from "../data/stride-grid";

/**
 * The window AUC of `scores` (aligned so 0.5 is the threshold) over the windows holding T real frames, and how many
 * there are. `allAuc`: the AUC over every window, returned as it is when no window is padded.
 */
export function unpaddedWindowAuc(ds: FrameDataset, windows: WindowSet, scores: ArrayLike<number>, allAuc: number | null): { auc: number | null; windows: number } {
  const keep = windowsWithRealFrames(windows, ds, windows.T);
  if (keep.length === windows.count) return { auc: allAuc, windows: keep.length };
  return { auc: evaluateAll(Float32Array.from(keep, (i) => scores[i]), takeWindows(windows, keep), 0.5).window.auc, windows: keep.length };
}

/**
 * --score-stride: the window AUC over the windows a run without it scores (T real frames, on the `stride` grid), so
 * its figure compares with a default run's, and how many there are.
 */
export function gridWindowAuc(ds: FrameDataset, windows: WindowSet, scores: ArrayLike<number>, stride: number): { auc: number | null; windows: number } {
  const onGrid = new Set(onStrideGrid(windows, ds, stride));
  const keep = windowsWithRealFrames(windows, ds, windows.T).filter((i) => onGrid.has(i));
  return { auc: evaluateAll(Float32Array.from(keep, (i) => scores[i]), takeWindows(windows, keep), 0.5).window.auc, windows: keep.length };
}
