// --adl-transition-copies N: a fold's models fit on N more copies of each training window of a daily activity
// that holds its annotated transition (URFD label 0 in an ADL: the person going down on purpose). Those are the
// negatives most like a fall (the deployment point's false alarms beside adl-33 all come from them), so they weigh
// N + 1 times in the loss; the threshold and the evaluation still see every window once.
import type { FrameDataset, WindowSet } from "../types";
import { fallingRowsPerWindow } from "../data/falling-rows";
import { concatWindowSets, takeWindows } from "../data/split";

/** Indices of the windows of `ws` that come from a non-fall recording of `ds` and hold at least one label-0 row. */
export function adlTransitionWindows(ws: WindowSet, ds: FrameDataset): number[] {
  const falls = new Set(ds.sequences.filter((s) => s.isFall).map((s) => s.id));
  const rows = fallingRowsPerWindow(ws, ds);
  const out: number[] = [];
  for (let w = 0; w < ws.count; w++) if (!falls.has(ws.sequenceIds[ws.seq[w]]) && rows[w] > 0) out.push(w);
  return out;
}

/** `ws` followed by `copies` more copies of its ADL transition windows. */
export function withAdlTransitionCopies(ws: WindowSet, ds: FrameDataset, copies: number): { windows: WindowSet; added: number } {
  const hard = adlTransitionWindows(ws, ds);
  if (copies <= 0 || hard.length === 0) return { windows: ws, added: 0 };
  const extra = takeWindows(ws, hard);
  return { windows: concatWindowSets([ws, ...Array.from({ length: copies }, () => extra)]), added: hard.length * copies };
}
