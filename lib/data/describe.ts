// Per-side counts of a WindowSet, for split tables and logs.
import { WindowSet } from "../types";

/** Counts for display: windows, fall windows and sequences on one side. */
export function describeSide(ws: WindowSet): { windows: number; fallWindows: number; sequences: number; fallSequences: number } {
  const seqs = new Set<number>();
  let fallWindows = 0;
  for (let i = 0; i < ws.count; i++) {
    seqs.add(ws.seq[i]);
    fallWindows += ws.y[i];
  }
  let fallSequences = 0;
  for (const s of seqs) fallSequences += ws.sequenceIsFall[s];
  return { windows: ws.count, fallWindows, sequences: seqs.size, fallSequences };
}
