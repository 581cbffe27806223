// A small MCFD-like per-frame feature CSV for tests: no MCFD features exist offline, so this lets
// the MCFD path (read CSV -> label from annotations -> windows -> validate) run end to end.
//
// Schema: the URFD one, no header, 11 columns: sequence, frame, label, HeightWidthRatio,
// MajorMinorRatio, BoundingBoxOccupancy, MaxStdXZ, HHmaxRatio, H, D, P40. label is -1 on every row
// (the file is unlabelled; labelMcfdFrames sets labels from the annotations). One hidden posture
// p(t) (0 upright, 1 lying) drives all features between URFD's mean standing and lying levels
// (from urfall-cam0-falls.csv: H 1629 -> 472, HHmaxRatio 0.885 -> 0.256, P40 0.117 -> 0.916, ...),
// with seeded Gaussian noise. A fall is a quick drop of p from 0 to 1 across the annotated frames;
// after it the person lies until the end, or, when another fall follows, lies a while, gets up and
// stands until it. Nothing here is computed from depth images: use it to test plumbing, never to
// judge a model.

import { writeFileSync } from "node:fs";
import { FEATURE_NAMES } from "../types";
import { createRng, gaussian } from "../random";
import { FallInterval, McfdAnnotation } from "./annotations";
import { mcfdSequenceId } from "./label-frames";

/** Mean URFD levels upright (label -1) and lying (label 1), in FEATURE_NAMES order. */
const STAND = [2.47, 2.75, 0.518, 143.1, 0.885, 1629, 904.5, 0.117];
const LIE = [0.517, 2.62, 0.54, 259.2, 0.256, 471.7, 271.5, 0.916];
/** Per-feature noise, as a fraction of the upright level. */
const NOISE = 0.03;

export interface SyntheticMcfdOptions {
  /** Whose falls to draw (frames are 0-based video indices, as in the annotations). */
  annotation: McfdAnnotation;
  /** Number of frames in the video (default: last fall end + 150, or 300 without a fall). */
  frames?: number;
  /** Seed of the noise (default 1). */
  seed?: number;
  /** The frame number of the first frame in the file (default 1, like URFD). */
  frameBase?: 0 | 1;
  /** Sequence name in column 1 (default mcfdSequenceId(chute, cam)). */
  sequence?: string;
}

const smooth = (x: number): number => {
  const t = Math.min(1, Math.max(0, x));
  return t * t * (3 - 2 * t);
};

/** Posture 0 (upright) .. 1 (lying) at video index `i`. */
export function syntheticPosture(i: number, falls: readonly FallInterval[]): number {
  for (let k = 0; k < falls.length; k++) {
    const f = falls[k];
    if (i < f.start) {
      if (k === 0) return 0;
      // Between fall k-1 and fall k: lie a while, get up, stand.
      const prevEnd = falls[k - 1].end;
      const gap = f.start - prevEnd - 1;
      const lie = Math.min(60, Math.floor(gap / 3));
      const rise = Math.max(1, Math.min(45, Math.floor(gap / 3)));
      const since = i - prevEnd - 1;
      if (since < lie) return 1;
      return 1 - smooth((since - lie + 1) / rise);
    }
    if (i <= f.end) return smooth((i - f.start + 1) / (f.end - f.start + 1));
  }
  return falls.length > 0 ? 1 : 0;
}

/** The CSV text (no header, "\n" line ends, final newline). */
export function syntheticMcfdCsv(opts: SyntheticMcfdOptions): string {
  const { annotation } = opts;
  const falls = annotation.falls;
  const lastEnd = falls.length > 0 ? falls[falls.length - 1].end : -1;
  const frames = opts.frames ?? (falls.length > 0 ? lastEnd + 150 : 300);
  if (!Number.isInteger(frames) || frames <= 0) throw new Error(`frames must be a positive integer, got ${frames}`);
  if (frames <= lastEnd) throw new Error(`frames (${frames}) must exceed the last fall's end frame ${lastEnd}`);
  const base = opts.frameBase ?? 1;
  const seq = opts.sequence ?? mcfdSequenceId(annotation.chute, annotation.cam);
  if (seq === "" || /[,\r\n]/.test(seq)) throw new Error(`sequence name must be non-empty without commas or newlines, got ${JSON.stringify(seq)}`);
  const rng = createRng(opts.seed ?? 1);
  const nf = FEATURE_NAMES.length;
  const lines: string[] = [];
  for (let i = 0; i < frames; i++) {
    const p = syntheticPosture(i, falls);
    const cells: string[] = [seq, String(i + base), "-1"];
    for (let j = 0; j < nf; j++) {
      let v = STAND[j] + (LIE[j] - STAND[j]) * p + gaussian(rng) * NOISE * STAND[j];
      // Ratios of points and occupancies stay in [0, 1]; everything else stays positive.
      if (j === 2 || j === 7) v = Math.min(1, Math.max(0, v));
      else v = Math.max(1e-3, v);
      cells.push(String(Number(v.toFixed(4))));
    }
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

/** Writes syntheticMcfdCsv(opts) to `file`; returns `file`. */
export function writeSyntheticMcfdCsv(file: string, opts: SyntheticMcfdOptions): string {
  writeFileSync(file, syntheticMcfdCsv(opts));
  return file;
}
