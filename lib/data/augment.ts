// Training-side augmentation: time-warped, rescaled copies of whole recordings, so the model sees falls
// (and daily activities) a little faster or slower and a little larger or smaller than the camera did.
// Warping whole recordings (not single windows) keeps the difference features and the labels exact.
import { FrameDataset, SequenceInfo } from "../types";
import { createRng } from "../random";

export interface AugmentOptions {
  /** Augmented copies per recording (0 = none). */
  copies: number;
  seed: number;
  /** Playback speed drawn log-uniformly in [1/maxSpeed, maxSpeed] per copy (default 1.25). */
  maxSpeed?: number;
  /** Each feature of a copy is multiplied by a factor drawn uniformly in [1 − a, 1 + a] (default 0.1). */
  amplitude?: number;
}

/** Speed ±25% and amplitude ±10%: falls in URFD last about 1 s, so a copy stays a plausible fall. */
export const DEFAULT_MAX_SPEED = 1.25;
export const DEFAULT_AMPLITUDE = 0.1;

/** Suffix of an augmented recording's id: "fall-01~aug1". */
export const AUGMENTED_ID = "~aug";

/**
 * `copies` augmented versions of each recording in `ids`, as a new data set (its own table). A copy
 * plays the recording at speed s (features linearly interpolated, each label the nearest frame's),
 * numbers its frames 1, 2, ..., and scales every feature by its own factor.
 */
export function augmentRecordings(ds: FrameDataset, ids: readonly string[], opts: AugmentOptions): FrameDataset {
  const maxSpeed = opts.maxSpeed ?? DEFAULT_MAX_SPEED;
  const amplitude = opts.amplitude ?? DEFAULT_AMPLITUDE;
  if (!Number.isInteger(opts.copies) || opts.copies < 0) throw new RangeError(`augmentRecordings: copies must be a non-negative integer, got ${opts.copies}`);
  if (!(maxSpeed >= 1)) throw new RangeError(`augmentRecordings: maxSpeed must be >= 1, got ${maxSpeed}`);
  if (!(amplitude >= 0 && amplitude < 1)) throw new RangeError(`augmentRecordings: amplitude must be in [0, 1), got ${amplitude}`);
  const { table } = ds;
  const nf = table.featureNames.length;
  const rng = createRng(opts.seed);
  const sequence: string[] = [];
  const frame: number[] = [];
  const label: number[] = [];
  const features: number[] = [];
  const sequences: SequenceInfo[] = [];
  for (const id of ids) {
    const s = ds.sequences.find((q) => q.id === id);
    if (!s) throw new Error(`augmentRecordings: no sequence "${id}" in the data set`);
    for (let c = 1; c <= opts.copies; c++) {
      const speed = Math.exp((2 * rng() - 1) * Math.log(maxSpeed));
      const scale = Array.from({ length: nf }, () => 1 + (2 * rng() - 1) * amplitude);
      const length = Math.floor((s.length - 1) / speed) + 1;
      sequences.push({ id: `${id}${AUGMENTED_ID}${c}`, isFall: s.isFall, start: sequence.length, length });
      for (let k = 0; k < length; k++) {
        const t = Math.min(k * speed, s.length - 1);
        const lo = Math.floor(t);
        const hi = Math.min(lo + 1, s.length - 1);
        const w = t - lo;
        sequence.push(`${id}${AUGMENTED_ID}${c}`);
        frame.push(k + 1);
        label.push(table.label[s.start + (w < 0.5 ? lo : hi)]);
        for (let j = 0; j < nf; j++) {
          const a = table.features[(s.start + lo) * nf + j];
          const b = table.features[(s.start + hi) * nf + j];
          features.push((a + w * (b - a)) * scale[j]);
        }
      }
    }
  }
  return {
    table: { rows: sequence.length, sequence, frame: Int32Array.from(frame), label: Int8Array.from(label), features: Float32Array.from(features), featureNames: [...table.featureNames] },
    sequences,
    provenance: { ...ds.provenance, note: `${ds.provenance.note}; ${opts.copies} augmented cop${opts.copies === 1 ? "y" : "ies"} per training recording (speed ×1/${maxSpeed}..×${maxSpeed}, amplitude ±${amplitude})` },
  };
}
