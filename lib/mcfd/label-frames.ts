// Per-frame labels for one MCFD chute/camera video, in the URFD convention, from the reconciled
// annotations (annotations.ts).
//
// Labels (FrameLabel, as in URFD): -1 before the first fall (not lying), 0 inside a fall interval
// (falling; start and end inclusive), 1 after a fall's end (lying) until the next fall starts or
// the sequence ends, as URFD labels its fall recordings (-1 -> 0 -> 1: the person stays down).
// A scenario without a fall (chute 24) is all -1 and isFall = false (an ADL-like recording).
//
// Caveat: chutes 4 and 23 have two falls and the person gets up between them, which the
// annotations do not time, so by default the frames between the falls are labelled 1 although
// part of them is standing/walking. `lyingFrames` caps how long 1 lasts after each fall (then -1).
// Unlike URFD, where the 0 segment is always 30 frames, MCFD's 0 segment is the annotated fall.
//
// Frame numbers: the annotations are 0-based video frame indices (Núñez's OpenCV code); the table
// numbers its frames from `frameBase` (default 1, as the URFD CSVs, whose frame = image number), so
// table frame f is video index f - frameBase.
//
// Provenance: the result says source "mcfd" (McfdFrameDataset narrows DataProvenance's union to
// it), and is assignable to FrameDataset as it is.

import { DataProvenance, FrameDataset, FrameLabel, FrameTable } from "../types";
import { FallInterval, MCFD_CAMS, MCFD_CHUTES, McfdAnnotation } from "./annotations";

export interface McfdProvenance extends Omit<DataProvenance, "source"> {
  source: "mcfd";
}

/** A FrameDataset whose provenance says "mcfd" (not yet in DataProvenance's union). */
export interface McfdFrameDataset extends Omit<FrameDataset, "provenance"> {
  provenance: McfdProvenance;
}

export interface LabelMcfdOptions {
  /** The frame number the table gives the video's first frame (default 1, like URFD). */
  frameBase?: 0 | 1;
  /** Frames labelled 1 after each fall's end at most (default: until the next fall or the end). */
  lyingFrames?: number;
  /**
   * Throw when the annotation has a fall but no row of the table lies inside one (default true):
   * that means the table does not cover the fall, or frames/delays are misaligned.
   */
  requireFallFrames?: boolean;
  /** Provenance: folder and files the features were read from. */
  dir?: string | null;
  files?: string[];
}

/** e.g. mcfdSequenceId(5, 3) === "mcfd-chute05-cam3". */
export function mcfdSequenceId(chute: number, cam: number): string {
  return `mcfd-chute${String(chute).padStart(2, "0")}-cam${cam}`;
}

function checkAnnotation(a: McfdAnnotation): void {
  if (!Number.isInteger(a.chute) || a.chute < 1 || a.chute > MCFD_CHUTES) throw new Error(`annotation chute must be 1..${MCFD_CHUTES}, got ${a.chute}`);
  if (!Number.isInteger(a.cam) || a.cam < 1 || a.cam > MCFD_CAMS) throw new Error(`annotation cam must be 1..${MCFD_CAMS}, got ${a.cam}`);
  a.falls.forEach((f, i) => {
    if (!Number.isInteger(f.start) || !Number.isInteger(f.end) || f.end < f.start) {
      throw new Error(`chute ${a.chute} cam ${a.cam}: fall ${i} must have integer start <= end, got ${f.start}-${f.end}`);
    }
    if (i > 0 && f.start <= a.falls[i - 1].end) throw new Error(`chute ${a.chute} cam ${a.cam}: falls must be sorted and disjoint`);
  });
}

function checkTable(t: FrameTable): void {
  const nf = t.featureNames.length;
  if (t.rows <= 0) throw new Error("the frame table is empty");
  if (t.sequence.length !== t.rows || t.frame.length !== t.rows || t.label.length !== t.rows || t.features.length !== t.rows * nf) {
    throw new Error(`the frame table's columns do not all have ${t.rows} rows`);
  }
  const names = new Set(t.sequence);
  if (names.size !== 1) {
    throw new Error(`the frame table must hold one video (one sequence), got ${names.size}: ${[...names].slice(0, 5).join(", ")}`);
  }
  for (let r = 1; r < t.rows; r++) {
    if (t.frame[r] <= t.frame[r - 1]) throw new Error(`frame ${t.frame[r]} at row ${r} does not come after ${t.frame[r - 1]} (frames must increase)`);
  }
}

/** The URFD-convention label of video frame index `idx`. */
export function mcfdLabelAt(idx: number, falls: readonly FallInterval[], lyingFrames = Infinity): FrameLabel {
  let lastEnd: number | null = null;
  for (const f of falls) {
    if (idx < f.start) break;
    if (idx <= f.end) return 0;
    lastEnd = f.end;
  }
  if (lastEnd === null) return -1;
  return idx - lastEnd <= lyingFrames ? 1 : -1;
}

/**
 * Labels a per-frame feature table (URFD schema) of one MCFD chute/camera video: renames its
 * sequence to mcfdSequenceId(chute, cam), sets label per frame (-1 / 0 / 1, see above), and marks
 * the sequence as a fall when the chute has one. Features are copied, the input is not modified.
 */
export function labelMcfdFrames(table: FrameTable, annotation: McfdAnnotation, opts: LabelMcfdOptions = {}): McfdFrameDataset {
  checkAnnotation(annotation);
  checkTable(table);
  const base = opts.frameBase ?? 1;
  if (base !== 0 && base !== 1) throw new Error(`frameBase must be 0 or 1, got ${String(base)}`);
  const lying = opts.lyingFrames ?? Infinity;
  if (!(lying >= 0)) throw new Error(`lyingFrames must be >= 0, got ${lying}`);
  const { chute, cam, falls } = annotation;
  const id = mcfdSequenceId(chute, cam);

  const label = new Int8Array(table.rows);
  let inFall = 0;
  for (let r = 0; r < table.rows; r++) {
    const l = mcfdLabelAt(table.frame[r] - base, falls, lying);
    label[r] = l;
    if (l === 0) inFall++;
  }
  const isFall = falls.length > 0;
  const first = table.frame[0];
  const last = table.frame[table.rows - 1];
  if (isFall && inFall === 0 && (opts.requireFallFrames ?? true)) {
    throw new Error(
      `${id}: the annotated fall(s) at video frames ${falls.map((f) => `${f.start}-${f.end}`).join(", ")} ` +
        `(table frames ${falls.map((f) => `${f.start + base}-${f.end + base}`).join(", ")}) contain none of the table's ` +
        `frames ${first}..${last}: the table does not cover the fall, or frames/delays are misaligned`,
    );
  }

  const fallText = isFall ? `falls at video frames ${falls.map((f) => `${f.start}-${f.end}`).join(", ")}` : "no fall (ADL-like scenario)";
  const notes = [
    `MCFD chute ${chute} cam ${cam}: ${fallText}, from the reconciled Núñez/fallGCN annotations`,
    `labels -1 before, 0 inside, 1 after a fall${Number.isFinite(lying) ? ` for at most ${lying} frames` : " until the next fall or the end"} (URFD convention)`,
    `table frame = 0-based video index + ${base}`,
  ];
  if (falls.length > 1 && !Number.isFinite(lying)) {
    notes.push("the person gets up between the falls, so part of the frames labelled 1 between them are not lying");
  }

  return {
    table: {
      rows: table.rows,
      sequence: new Array<string>(table.rows).fill(id),
      frame: Int32Array.from(table.frame),
      label,
      features: Float32Array.from(table.features),
      featureNames: [...table.featureNames],
    },
    sequences: [{ id, isFall, start: 0, length: table.rows }],
    provenance: {
      source: "mcfd",
      dir: opts.dir ?? null,
      files: opts.files ? [...opts.files] : [],
      note: notes.join("; ") + ".",
    },
  };
}
