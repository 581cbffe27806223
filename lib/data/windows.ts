// Cuts a frame data set into fixed-length windows for the RNN, labelled by overlap with a fall.

import { FrameDataset, WindowSet } from "../types";

/** Window length in frames: T=32 beat T=16 on URFD (FACTS.md). */
export const DEFAULT_T = 32;
/** Step between window starts, in frames. */
export const DEFAULT_STRIDE = 4;

export interface WindowOptions {
  /** Frames per window (default 32). */
  T?: number;
  /** Step between consecutive windows of one sequence (default 4). */
  stride?: number;
  /** Append frame-to-frame differences of the 8 features, F = 16 (default true). */
  withDiffs?: boolean;
}

export interface WindowResult {
  windows: WindowSet;
  /** Ids of sequences shorter than T, which gave no window: callers should say so. */
  skipped: string[];
}

function positiveInt(v: number, name: string): number {
  if (!Number.isInteger(v) || v <= 0) throw new TypeError(`makeWindows: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Windows of T consecutive rows inside each sequence, never across two. They are aligned to the
 * sequence's end (the last window ends on its last frame, as in online detection) and step back
 * by `stride`. Differences are taken along the whole sequence, so a window's first row carries
 * the change from the frame before it; only a sequence's first frame has diff 0. Where a frame
 * is missing the difference is divided by the frame gap (a per-frame rate).
 * y = 1 iff the sequence is a fall and the window holds at least one label-0 (falling) row.
 */
export function makeWindowsWithReport(ds: FrameDataset, opts: WindowOptions = {}): WindowResult {
  const T = positiveInt(opts.T ?? DEFAULT_T, "T");
  const stride = positiveInt(opts.stride ?? DEFAULT_STRIDE, "stride");
  const withDiffs = opts.withDiffs ?? true;
  const { table, sequences } = ds;
  const nf = table.featureNames.length;
  const F = withDiffs ? 2 * nf : nf;

  const skipped: string[] = [];
  const starts: { seq: number; row: number }[] = [];
  sequences.forEach((s, i) => {
    if (s.length < T) {
      skipped.push(s.id);
      return;
    }
    const first: number[] = [];
    for (let end = s.start + s.length; end - T >= s.start; end -= stride) first.push(end - T);
    for (const row of first.reverse()) starts.push({ seq: i, row });
  });
  if (starts.length === 0) {
    throw new Error(`makeWindows: no window of T=${T} frames fits in any of the ${sequences.length} sequences (longest has ${Math.max(0, ...sequences.map((s) => s.length))} frames)`);
  }

  // Per-row features (and diffs) once, then copy T rows into each window.
  const perRow = new Float32Array(table.rows * F);
  for (const s of sequences) {
    for (let r = s.start; r < s.start + s.length; r++) {
      for (let j = 0; j < nf; j++) perRow[r * F + j] = table.features[r * nf + j];
      if (!withDiffs || r === s.start) continue;
      const gap = Math.max(1, table.frame[r] - table.frame[r - 1]);
      for (let j = 0; j < nf; j++) {
        perRow[r * F + nf + j] = (table.features[r * nf + j] - table.features[(r - 1) * nf + j]) / gap;
      }
    }
  }

  const count = starts.length;
  const x = new Float32Array(count * T * F);
  const y = new Float32Array(count);
  const seq = new Int32Array(count);
  const lastFrame = new Int32Array(count);
  starts.forEach(({ seq: si, row }, w) => {
    x.set(perRow.subarray(row * F, (row + T) * F), w * T * F);
    seq[w] = si;
    lastFrame[w] = table.frame[row + T - 1];
    if (sequences[si].isFall) {
      for (let r = row; r < row + T; r++) {
        if (table.label[r] === 0) {
          y[w] = 1;
          break;
        }
      }
    }
  });

  const names = [...table.featureNames];
  return {
    windows: {
      count,
      T,
      F,
      x,
      y,
      seq,
      lastFrame,
      sequenceIds: sequences.map((s) => s.id),
      sequenceIsFall: Uint8Array.from(sequences, (s) => (s.isFall ? 1 : 0)),
      featureNames: withDiffs ? [...names, ...names.map((n) => `d${n}`)] : names,
    },
    skipped,
  };
}

/** makeWindowsWithReport without the list of skipped (too short) sequences. */
export function makeWindows(ds: FrameDataset, opts: WindowOptions = {}): WindowSet {
  return makeWindowsWithReport(ds, opts).windows;
}
