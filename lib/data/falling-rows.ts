// How much of a fall each window holds: windows that end on a fall's first frames look like any
// start of a downward movement, so training may leave them out (--min-falling-rows).
import type { FrameDataset, WindowSet } from "../types";
import { takeWindows } from "./split";
import { makeWindows, WindowOptions } from "./windows";

/** Per window, how many of its T rows are falling (label 0) rows of `ds` (padded rows count as not falling). */
export function fallingRowsPerWindow(ws: Pick<WindowSet, "count" | "T" | "seq" | "lastFrame" | "sequenceIds">, ds: FrameDataset): Int32Array {
  const rowOf = new Map<string, Map<number, number>>();
  for (const s of ds.sequences) {
    const m = new Map<number, number>();
    for (let r = s.start; r < s.start + s.length; r++) m.set(ds.table.frame[r], r);
    rowOf.set(s.id, m);
  }
  const starts = new Map(ds.sequences.map((s) => [s.id, s.start]));
  const out = new Int32Array(ws.count);
  for (let w = 0; w < ws.count; w++) {
    const id = ws.sequenceIds[ws.seq[w]];
    const last = rowOf.get(id)?.get(ws.lastFrame[w]);
    if (last === undefined) throw new Error(`fallingRowsPerWindow: no frame ${ws.lastFrame[w]} in sequence "${id}"`);
    let n = 0;
    for (let r = Math.max(starts.get(id)!, last - ws.T + 1); r <= last; r++) if (ds.table.label[r] === 0) n++;
    out[w] = n;
  }
  return out;
}

/** `ws` without its fall windows (y = 1) that hold fewer than `minRows` falling rows; other windows all kept, in order. */
export function withoutEarlyFallWindows(ws: WindowSet, ds: FrameDataset, minRows: number): WindowSet {
  if (minRows <= 1) return ws;
  const rows = fallingRowsPerWindow(ws, ds);
  const keep: number[] = [];
  for (let w = 0; w < ws.count; w++) if (ws.y[w] !== 1 || rows[w] >= minRows) keep.push(w);
  return takeWindows(ws, keep);
}

/**
 * The fall windows of `ds` cut at every frame (stride 1) that hold 1..`maxRows` falling rows: the
 * onset of each fall, at four times the default grid's density.
 */
export function onsetWindows(ds: FrameDataset, opts: WindowOptions, maxRows: number): WindowSet {
  const all = makeWindows(ds, { ...opts, stride: 1 });
  const rows = fallingRowsPerWindow(all, ds);
  const keep: number[] = [];
  for (let w = 0; w < all.count; w++) if (all.y[w] === 1 && rows[w] >= 1 && rows[w] <= maxRows) keep.push(w);
  return takeWindows(all, keep);
}
