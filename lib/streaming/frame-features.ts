// One frame in, one model input row out: the 8 features, their differences over each lag,
// standardised — the same float32 arithmetic as makeWindows + applyScaler, so rows match bit for bit.
import type { Scaler } from "../data/scaler";
import { checkDiffLags, diffFeatureNames, diffLagsOf } from "../data/windows";
import { FEATURE_NAMES } from "../types";

/** Scaler feature names expected for these inputs (makeWindows' naming: "dH", "d4H", ...); withDiffs true without lags means lag 1 only. */
export function inputFeatureNames(withDiffs: boolean, diffLags: readonly number[] = [1]): string[] {
  return diffFeatureNames(FEATURE_NAMES, withDiffs ? diffLags : []);
}

export class FrameFeaturizer {
  /** Raw features per frame (8). */
  readonly nf = FEATURE_NAMES.length;
  /** Model inputs per frame: 8 × (1 + number of lags). */
  readonly F: number;
  readonly lags: readonly number[];
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  /** The last max(lag) frames' raw features and frame numbers, newest at `(seen - 1) % depth`. */
  private readonly history: Float32Array;
  private readonly frames: (number | null)[];
  private readonly depth: number;
  private seen = 0;

  constructor(scaler: Scaler, diffLags: readonly number[]) {
    this.lags = checkDiffLags(diffLags, "FrameFeaturizer");
    this.F = this.nf * (1 + this.lags.length);
    const want = diffFeatureNames(FEATURE_NAMES, this.lags);
    if (scaler.mean.length !== this.F || scaler.std.length !== this.F || scaler.featureNames.join(",") !== want.join(",")) {
      throw new Error(`scaler must cover the ${this.F} inputs ${want.join(",")}; it has ${scaler.featureNames.join(",")}`);
    }
    this.mean = Float64Array.from(scaler.mean);
    this.std = Float64Array.from(scaler.std);
    this.depth = Math.max(1, ...this.lags);
    this.history = new Float32Array(this.depth * this.nf);
    this.frames = new Array(this.depth).fill(null);
  }

  /**
   * Standardised inputs of the next frame, written into `out` (length F). `frame` (optional) is
   * the frame number: differences are divided by the frame gap, as makeWindows does.
   */
  next(features: ArrayLike<number>, out: Float32Array, frame?: number): Float32Array {
    const { nf, depth } = this;
    // Every check before any write: a refused frame leaves the stream as it was.
    if (features.length !== nf) throw new RangeError(`a frame must have ${nf} features, got ${features.length}`);
    const v = new Float32Array(nf); // the frame table stores float32
    for (let j = 0; j < nf; j++) {
      // The input itself, not its float32 copy: null, true or "1.5" would convert silently.
      if (typeof features[j] !== "number") throw new RangeError(`feature ${FEATURE_NAMES[j]} is not a number: ${String(features[j])}`);
      v[j] = features[j];
      if (!Number.isFinite(v[j])) throw new RangeError(`feature ${FEATURE_NAMES[j]} is not a finite number: ${features[j]}`);
    }
    if (frame !== undefined) {
      if (typeof frame !== "number" || !Number.isFinite(frame)) throw new RangeError(`frame number is not a finite number: ${String(frame)}`);
      const last = this.seen > 0 ? this.frames[(this.seen - 1) % depth] : null;
      // A recording's frames increase (the loaders refuse duplicates); a stream that restarts its numbering is a new recording.
      if (last !== null && frame <= last) throw new RangeError(`frame ${frame} after frame ${last}: frame numbers must increase; call reset() when a stream restarts`);
    }
    for (let j = 0; j < nf; j++) out[j] = (v[j] - this.mean[j]) / this.std[j];
    this.lags.forEach((lag, k) => {
      const back = Math.min(lag, this.seen); // a sequence's first frames reach back only to its first frame
      const at = nf * (k + 1);
      const slot = (((this.seen - back) % depth) + depth) % depth;
      const then = this.frames[slot];
      const gap = back === 0 ? 1 : frame !== undefined && then !== null ? Math.max(1, frame - then) : back;
      for (let j = 0; j < nf; j++) {
        const d = back === 0 ? 0 : Math.fround((v[j] - this.history[slot * nf + j]) / gap);
        out[at + j] = (d - this.mean[at + j]) / this.std[at + j];
      }
    });
    const slot = this.seen % depth;
    this.history.set(v, slot * nf);
    this.frames[slot] = frame ?? null;
    this.seen++;
    return out;
  }

  /** Forget the previous frames: the next one starts a new sequence. */
  reset(): void {
    this.seen = 0;
    this.frames.fill(null);
  }
}

/** The featurizer for a scaler's inputs: the 8 features, then their differences over the lags its names give. */
export function featurizerFor(F: number, scaler: Scaler): FrameFeaturizer {
  const lags = diffLagsOf(FEATURE_NAMES, scaler.featureNames);
  if (lags === null || F !== scaler.featureNames.length) {
    throw new Error(`the model takes ${F} inputs per frame and the scaler names ${scaler.featureNames.join(",")}; streaming needs the 8 features, then their differences (dH..., d4H...)`);
  }
  return new FrameFeaturizer(scaler, lags);
}
