// Hand-built tiny data sets and temp folders shared by the data-layer tests (not a test itself).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FEATURE_NAMES, FrameDataset, SequenceInfo } from "../../lib/types";

export interface SeqSpec {
  id: string;
  isFall: boolean;
  /** Label per frame; frames are numbered from `firstFrame` (default 1). */
  labels: number[];
  firstFrame?: number;
}

/** Feature j of a row is seqIndex*1000 + row-in-seq + j/10: every value tells where it came from. */
export function tinyDataset(specs: SeqSpec[]): FrameDataset {
  const nf = FEATURE_NAMES.length;
  const rows = specs.reduce((s, x) => s + x.labels.length, 0);
  const sequence: string[] = [];
  const frame = new Int32Array(rows);
  const label = new Int8Array(rows);
  const features = new Float32Array(rows * nf);
  const sequences: SequenceInfo[] = [];
  let at = 0;
  specs.forEach((s, si) => {
    sequences.push({ id: s.id, isFall: s.isFall, start: at, length: s.labels.length });
    s.labels.forEach((l, t) => {
      sequence.push(s.id);
      frame[at] = (s.firstFrame ?? 1) + t;
      label[at] = l;
      for (let j = 0; j < nf; j++) features[at * nf + j] = si * 1000 + t + j / 10;
      at++;
    });
  });
  return {
    table: { rows, sequence, frame, label, features, featureNames: [...FEATURE_NAMES] },
    sequences,
    provenance: { source: "synthetic", dir: null, files: [], note: "test fixture" },
  };
}

/** n copies of v. */
export const rep = (v: number, n: number): number[] => new Array<number>(n).fill(v);

/** A fresh temp folder and its remover. */
export function tempDir(tag: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `falldata-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One URFD CSV line with plausible feature values. */
export function urfdLine(seq: string, frame: number | string, label: number | string, feats: (number | string)[] = [2.5, 2.7, 0.5, 140, 0.9, 1600, 900, 0.1]): string {
  return [seq, frame, label, ...feats].join(",");
}

/** `falls` fall sequences then `adls` ADL sequences, each `len` frames, windowable with T ≤ len. */
export function manySequences(falls: number, adls: number, len = 8): FrameDataset {
  const specs: SeqSpec[] = [];
  for (let i = 0; i < falls; i++) specs.push({ id: `fall-${i + 1}`, isFall: true, labels: [...rep(-1, len - 4), ...rep(0, 2), ...rep(1, 2)] });
  for (let i = 0; i < adls; i++) specs.push({ id: `adl-${i + 1}`, isFall: false, labels: rep(-1, len) });
  return tinyDataset(specs);
}
