// Windows before T real frames exist: each recording's first frame repeated in front of it, so windows can end
// early in a recording (URFD clips often start less than a second before the fall; a live camera has history).
import type { FrameDataset, WindowSet } from "../types";

/** `frames` copies of each recording's first frame before it, numbered first − frames .. first − 1. */
export function padRecordingStarts(ds: FrameDataset, frames: number): FrameDataset {
  if (!Number.isInteger(frames) || frames < 0) throw new RangeError(`padRecordingStarts: frames must be a non-negative integer, got ${frames}`);
  const t = ds.table;
  const nf = t.featureNames.length;
  const rows = t.rows + frames * ds.sequences.length;
  const sequence: string[] = [];
  const frame = new Int32Array(rows);
  const label = new Int8Array(rows);
  const features = new Float32Array(rows * nf);
  const sequences = [];
  let at = 0;
  for (const s of ds.sequences) {
    const start = at;
    for (let r = 0; r < frames + s.length; r++) {
      const src = s.start + Math.max(0, r - frames);
      sequence.push(s.id);
      frame[at] = r < frames ? t.frame[s.start] - (frames - r) : t.frame[src];
      label[at] = t.label[src];
      features.set(t.features.subarray(src * nf, (src + 1) * nf), at * nf);
      at++;
    }
    sequences.push({ ...s, start, length: frames + s.length });
  }
  return { table: { ...t, rows, sequence, frame, label, features }, sequences, provenance: ds.provenance };
}

/**
 * Indices of the windows of `ws` that hold at least `minReal` real frames of `ds` (the unpadded data set): rows of the
 * recording up to the window's last frame, not the span of frame numbers (a recording may skip frame numbers, and a
 * window of T rows that spans more numbers still holds T frames; the detector counts rows too).
 */
export function windowsWithRealFrames(ws: Pick<WindowSet, "count" | "seq" | "lastFrame" | "sequenceIds">, ds: FrameDataset, minReal: number): number[] {
  const rowOf = new Map<string, Map<number, number>>();
  for (const s of ds.sequences) {
    const m = new Map<number, number>();
    for (let r = 0; r < s.length; r++) m.set(ds.table.frame[s.start + r], r);
    rowOf.set(s.id, m);
  }
  const keep: number[] = [];
  for (let i = 0; i < ws.count; i++) {
    const rows = rowOf.get(ws.sequenceIds[ws.seq[i]]);
    if (rows === undefined) throw new Error(`windowsWithRealFrames: no sequence "${ws.sequenceIds[ws.seq[i]]}"`);
    const r = rows.get(ws.lastFrame[i]);
    if (r === undefined) throw new Error(`windowsWithRealFrames: no frame ${ws.lastFrame[i]} in sequence "${ws.sequenceIds[ws.seq[i]]}"`);
    if (r + 1 >= minReal) keep.push(i);
  }
  return keep;
}
