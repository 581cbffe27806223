// Derive the original project's df.csv from URFD: each frame becomes a posture token (the nearest
// k-means posture, postures.ts), and each window of `window` consecutive tokens becomes one row,
// labelled 1 when it overlaps a fall's falling segment (the same rule as the feature windows).
// A sidecar `<file>.meta.json` says which recording and frame each row came from, so training on
// the file can split by recording instead of by row (overlapping rows would leak across a row split).
import { createHash } from "node:crypto";
import { FrameDataset, WindowSet } from "../types";
import { makeWindowsWithReport } from "./windows";
import { classifyPostures, fitPostureCodebook, PostureCodebook } from "./postures";
import { writeFilesTogether } from "../run/atomic";
import { DfCsvMeta, DFCSV_META_FORMAT, metaFileFor } from "./dfcsv-meta";

/** The original model's Embedding has 168 entries: more postures could not be looked up. */
export const MAX_POSTURES = 168;

export interface DeriveDfCsvOptions {
  /** Posture vocabulary size K (default 16). */
  postures?: number;
  /** Tokens per row (default 16, as the original preset). */
  window?: number;
  /** Frames between consecutive rows of one recording (default 4). */
  stride?: number;
  seed?: number;
}

export const DERIVE_DEFAULTS = { postures: 16, window: 16, stride: 4, seed: 1 } as const;

export interface DerivedDfCsv {
  /** x holds the tokens (F = 1), y the fall label, seq/lastFrame where each row came from. */
  windows: WindowSet;
  codebook: PostureCodebook;
  /** Token of every frame of the source table. */
  frameTokens: Int32Array;
  options: Required<DeriveDfCsvOptions>;
  /** Recordings shorter than `window`, which gave no row. */
  skipped: string[];
}

export function deriveDfCsv(ds: FrameDataset, opts: DeriveDfCsvOptions = {}): DerivedDfCsv {
  const o: Required<DeriveDfCsvOptions> = {
    postures: opts.postures ?? DERIVE_DEFAULTS.postures,
    window: opts.window ?? DERIVE_DEFAULTS.window,
    stride: opts.stride ?? DERIVE_DEFAULTS.stride,
    seed: opts.seed ?? DERIVE_DEFAULTS.seed,
  };
  if (!Number.isInteger(o.postures) || o.postures < 2 || o.postures > MAX_POSTURES) {
    throw new RangeError(`postures must be an integer in 2..${MAX_POSTURES} (the original Embedding has ${MAX_POSTURES} entries), got ${o.postures}`);
  }
  // Checked before the k-means: a window no recording fills, or no fall left, gives a df.csv the pipeline refuses.
  const longest = Math.max(0, ...ds.sequences.map((s) => s.length));
  if (longest < o.window) throw new RangeError(`no row: every recording is shorter than --window ${o.window} (the longest has ${longest} frames)`);
  const fallsLong = ds.sequences.filter((s) => s.isFall && s.length >= o.window).length;
  if (fallsLong === 0) throw new RangeError(`no fall row: every fall recording is shorter than --window ${o.window}`);
  const codebook = fitPostureCodebook(ds.table, { postures: o.postures, seed: o.seed });
  const frameTokens = classifyPostures(codebook, ds.table);
  // Window the token column with the feature pipeline's own code, so labels and alignment match.
  const tokenTable = { ...ds.table, features: Float32Array.from(frameTokens), featureNames: ["posture"] };
  const { windows, skipped } = makeWindowsWithReport({ ...ds, table: tokenTable }, { T: o.window, stride: o.stride, withDiffs: false });
  return { windows, codebook, frameTokens, options: o, skipped };
}

/** df.csv text: each row's tokens, then its 0/1 label; no header, like the original's input. */
export function dfCsvText(windows: WindowSet): string {
  const lines: string[] = [];
  for (let i = 0; i < windows.count; i++) {
    const row = Array.from(windows.x.subarray(i * windows.T, (i + 1) * windows.T), (v) => String(Math.round(v)));
    row.push(String(windows.y[i]));
    lines.push(row.join(","));
  }
  return lines.join("\n") + "\n";
}

/** Write df.csv and its sidecar (each atomically; the sidecar names the CSV's hash, so a stale pair is detected). */
export function writeDerivedDfCsv(file: string, d: DerivedDfCsv, source: string): { file: string; metaFile: string } {
  const text = dfCsvText(d.windows);
  const meta: DfCsvMeta = {
    format: DFCSV_META_FORMAT,
    version: 1,
    csvSha256: createHash("sha256").update(text).digest("hex"),
    rows: d.windows.count,
    source,
    postures: d.options.postures,
    window: d.options.window,
    stride: d.options.stride,
    seed: d.options.seed,
    codebook: d.codebook,
    sequenceIds: d.windows.sequenceIds,
    sequenceIsFall: Array.from(d.windows.sequenceIsFall),
    rowSequence: Array.from(d.windows.seq),
    rowLastFrame: Array.from(d.windows.lastFrame),
  };
  const metaFile = metaFileFor(file);
  // Together: a df.csv without its sidecar would be split by row, not by recording.
  writeFilesTogether([{ file, data: text }, { file: metaFile, data: JSON.stringify(meta, null, 2) + "\n" }]);
  return { file, metaFile };
}
