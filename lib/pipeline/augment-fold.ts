// The windows a fold's models fit on when --augment is given: its training windows plus those of
// augmented copies of its training recordings. The scaler (fitted on the real windows) and the
// threshold (chosen on the real windows) are unchanged, so only what the models learn from differs.
import type { FrameDataset, WindowSet } from "../types";
import { augmentRecordings } from "../data/augment";
import { makeWindowsWithReport, WindowOptions } from "../data/windows";
import { applyScaler } from "../data/scaler";
import type { PreparedSplit } from "./prepare";

/** Each fold draws its own copies, reproducibly from the run's seed. */
export function foldAugmentSeed(seed: number, fold: number): number {
  return seed * 1009 + fold;
}

export function augmentedFitWindows(ds: FrameDataset, split: PreparedSplit, windowOptions: WindowOptions, opts: { copies: number; seed: number }): WindowSet {
  if (opts.copies === 0) return split.train;
  const ids = [...new Set(split.train.seq)].map((s) => split.train.sequenceIds[s]);
  const copies = augmentRecordings(ds, ids, { copies: opts.copies, seed: opts.seed });
  const extra = applyScaler(makeWindowsWithReport(copies, windowOptions).windows, split.scaler);
  return joinWindowSets(split.train, extra);
}

/** Two window sets cut from different data sets as one (b's sequences numbered after a's). */
export function joinWindowSets(a: WindowSet, b: WindowSet): WindowSet {
  if (a.T !== b.T || a.F !== b.F) throw new RangeError(`joinWindowSets: windows of [${a.T}, ${a.F}] and [${b.T}, ${b.F}]`);
  const count = a.count + b.count;
  const x = new Float32Array(count * a.T * a.F);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Float32Array(count);
  y.set(a.y);
  y.set(b.y, a.count);
  const seq = new Int32Array(count);
  seq.set(a.seq);
  for (let i = 0; i < b.count; i++) seq[a.count + i] = b.seq[i] + a.sequenceIds.length;
  const lastFrame = new Int32Array(count);
  lastFrame.set(a.lastFrame);
  lastFrame.set(b.lastFrame, a.count);
  const sequenceIsFall = new Uint8Array(a.sequenceIsFall.length + b.sequenceIsFall.length);
  sequenceIsFall.set(a.sequenceIsFall);
  sequenceIsFall.set(b.sequenceIsFall, a.sequenceIsFall.length);
  return { ...a, count, x, y, seq, lastFrame, sequenceIds: [...a.sequenceIds, ...b.sequenceIds], sequenceIsFall };
}
