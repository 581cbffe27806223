// Cuts a frame data set into fixed-length windows for the RNN, labelled by overlap with a fall.

import { FrameDataset, WindowSet } from "../types";
import { padRecordingStarts } from "./pad-starts";

/** Window length in frames: T=32 beat T=16 on URFD (FACTS.md). */
export const DEFAULT_T = 32;
/** Step between window starts, in frames. */
export const DEFAULT_STRIDE = 4;
/**
 * Lags (frames) of the difference features: the change over 1 frame and over 4. The 4-frame change
 * is a steadier velocity at a fall's onset; it raised the window AUC of 8 of 9 models on URFD (README).
 */
export const DEFAULT_DIFF_LAGS: readonly number[] = [1, 4];

/** Model input names: the 8 features, then per lag their differences ("dH" for lag 1, "d4H" for lag 4). */
export function diffFeatureNames(names: readonly string[], lags: readonly number[]): string[] {
  return [...names, ...lags.flatMap((lag) => names.map((n) => `d${lag === 1 ? "" : lag}${n}`))];
}

/** The lags named by `inputs` (diffFeatureNames' output for `names`), or null when it is not such a list. */
export function diffLagsOf(names: readonly string[], inputs: readonly string[]): number[] | null {
  const nf = names.length;
  if (inputs.length < nf || inputs.length % nf !== 0) return null;
  const lags: number[] = [];
  for (let at = nf; at < inputs.length; at += nf) {
    const m = /^d(\d*)/.exec(inputs[at]);
    if (!m) return null;
    lags.push(m[1] === "" ? 1 : Number(m[1]));
  }
  return diffFeatureNames(names, lags).join(",") === inputs.join(",") ? lags : null;
}

/** Lags checked once: positive integers, increasing (so feature names are unique). */
export function checkDiffLags(lags: readonly number[], where: string): number[] {
  lags.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 1 || (i > 0 && l <= lags[i - 1])) throw new TypeError(`${where}: diff lags must be increasing positive integers, got [${lags.join(", ")}]`);
  });
  return [...lags];
}

export interface WindowOptions {
  /** Frames per window (default 32). */
  T?: number;
  /** Step between consecutive windows of one sequence (default 4). */
  stride?: number;
  /** Append differences of the 8 features (default true): per lag in `diffLags`, 8 more inputs. */
  withDiffs?: boolean;
  /** Lags of those differences (default DEFAULT_DIFF_LAGS, F = 24); ignored without withDiffs. */
  diffLags?: readonly number[];
  /**
   * Copies of each recording's first frame put in front of it (default 0), so windows end from its
   * (T − padStarts)th frame on: URFD clips often start less than a second before the fall.
   */
  padStarts?: number;
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
 * the change from the frames before it. A lag-L difference at row r is the change from row
 * max(first row, r − L), divided by the frame-number gap (a per-frame rate, also where a frame is
 * missing); a sequence's first frame has differences 0.
 * y = 1 iff the sequence is a fall and the window holds at least one label-0 (falling) row.
 */
export function makeWindowsWithReport(ds: FrameDataset, opts: WindowOptions = {}): WindowResult {
  const T = positiveInt(opts.T ?? DEFAULT_T, "T");
  const stride = positiveInt(opts.stride ?? DEFAULT_STRIDE, "stride");
  const withDiffs = opts.withDiffs ?? true;
  const lags = withDiffs ? checkDiffLags(opts.diffLags ?? DEFAULT_DIFF_LAGS, "makeWindows") : [];
  const pad = opts.padStarts ?? 0;
  if (!Number.isInteger(pad) || pad < 0 || pad >= T) throw new TypeError(`makeWindows: padStarts must be an integer in 0..${T - 1}, got ${pad}`);
  const { table, sequences } = pad > 0 ? padRecordingStarts(ds, pad) : ds;
  const nf = table.featureNames.length;
  const F = nf * (1 + lags.length);

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
      if (r === s.start) continue;
      lags.forEach((lag, k) => {
        const p = Math.max(s.start, r - lag);
        const gap = Math.max(1, table.frame[r] - table.frame[p]);
        const at = r * F + nf * (k + 1);
        for (let j = 0; j < nf; j++) perRow[at + j] = (table.features[r * nf + j] - table.features[p * nf + j]) / gap;
      });
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
      featureNames: diffFeatureNames(names, lags),
    },
    skipped,
  };
}

/** makeWindowsWithReport without the list of skipped (too short) sequences. */
export function makeWindows(ds: FrameDataset, opts: WindowOptions = {}): WindowSet {
  return makeWindowsWithReport(ds, opts).windows;
}
