// Which windows of a finer cut lie on a coarser stride's grid: windows end on their recording's last frame and every
// `stride` rows before it (makeWindows), so a cut every N frames holds the grid of every multiple of N.
import type { FrameDataset, WindowSet } from "../types";

/**
 * Indices of the windows of `ws` whose last row is a multiple of `stride` rows before their recording's last row, in
 * `ds` (the unpadded data set: padding goes in front, so the distance from the end is the same).
 */
export function onStrideGrid(ws: Pick<WindowSet, "count" | "seq" | "lastFrame" | "sequenceIds">, ds: FrameDataset, stride: number): number[] {
  if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`onStrideGrid: stride must be a positive integer, got ${stride}`);
  const rowsFromEnd = new Map<string, Map<number, number>>();
  for (const s of ds.sequences) {
    const m = new Map<number, number>();
    const last = s.start + s.length - 1;
    for (let r = s.start; r <= last; r++) m.set(ds.table.frame[r], last - r);
    rowsFromEnd.set(s.id, m);
  }
  const keep: number[] = [];
  for (let w = 0; w < ws.count; w++) {
    const id = ws.sequenceIds[ws.seq[w]];
    const back = rowsFromEnd.get(id)?.get(ws.lastFrame[w]);
    if (back === undefined) throw new Error(`onStrideGrid: no frame ${ws.lastFrame[w]} in sequence "${id}"`);
    if (back % stride === 0) keep.push(w);
  }
  return keep;
}

/**
 * The grid stride a run's window AUC goal is read on when it scored windows off that grid (`scoreStride` set and not
 * `stride`: metrics.json's windowOnGrid), else null. `stride` may be missing in metrics.json files older than it.
 */
export function offGridStride(o: { stride?: number; scoreStride?: number | null }): number | null {
  return o.scoreStride != null && o.stride !== undefined && o.scoreStride !== o.stride ? o.stride : null;
}
