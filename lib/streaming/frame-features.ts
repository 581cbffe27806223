// One frame in, one model input row out: the 8 features, their difference to the previous frame,
// standardised — the same float32 arithmetic as makeWindows + applyScaler, so rows match bit for bit.
import type { Scaler } from "../data/scaler";
import { FEATURE_NAMES } from "../types";

/** Scaler feature names expected for `withDiffs` inputs (makeWindows' naming: "dH" etc.). */
export function inputFeatureNames(withDiffs: boolean): string[] {
  const names = [...FEATURE_NAMES] as string[];
  return withDiffs ? [...names, ...names.map((n) => `d${n}`)] : names;
}

export class FrameFeaturizer {
  /** Raw features per frame (8). */
  readonly nf = FEATURE_NAMES.length;
  /** Model inputs per frame (16 with diffs, else 8). */
  readonly F: number;
  readonly withDiffs: boolean;
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  private readonly prev: Float32Array;
  private prevFrame: number | null = null;
  private started = false;

  constructor(scaler: Scaler, withDiffs: boolean) {
    this.withDiffs = withDiffs;
    this.F = withDiffs ? 2 * this.nf : this.nf;
    const want = inputFeatureNames(withDiffs);
    if (scaler.mean.length !== this.F || scaler.std.length !== this.F || scaler.featureNames.join(",") !== want.join(",")) {
      throw new Error(`scaler must cover the ${this.F} inputs ${want.join(",")}; it has ${scaler.featureNames.join(",")}`);
    }
    this.mean = Float64Array.from(scaler.mean);
    this.std = Float64Array.from(scaler.std);
    this.prev = new Float32Array(this.nf);
  }

  /**
   * Standardised inputs of the next frame, written into `out` (length F). `frame` (optional) is
   * the frame number: a gap divides the difference by its length, as makeWindows does.
   */
  next(features: ArrayLike<number>, out: Float32Array, frame?: number): Float32Array {
    if (features.length !== this.nf) throw new RangeError(`a frame must have ${this.nf} features, got ${features.length}`);
    const gap = frame !== undefined && this.prevFrame !== null ? Math.max(1, frame - this.prevFrame) : 1;
    for (let j = 0; j < this.nf; j++) {
      const v = Math.fround(features[j]); // the frame table stores float32
      if (!Number.isFinite(v)) throw new RangeError(`feature ${FEATURE_NAMES[j]} is not a finite number: ${features[j]}`);
      out[j] = (v - this.mean[j]) / this.std[j];
      if (this.withDiffs) {
        const d = this.started ? Math.fround((v - this.prev[j]) / gap) : 0; // a sequence's first frame has diff 0
        out[this.nf + j] = (d - this.mean[this.nf + j]) / this.std[this.nf + j];
      }
      this.prev[j] = v;
    }
    this.started = true;
    this.prevFrame = frame ?? null;
    return out;
  }

  /** Forget the previous frame: the next one starts a new sequence. */
  reset(): void {
    this.started = false;
    this.prevFrame = null;
  }
}

/** The featurizer for a model taking F inputs per frame: the 8 features, or them plus their diffs. */
export function featurizerFor(F: number, scaler: Scaler): FrameFeaturizer {
  const nf = FEATURE_NAMES.length;
  if (F !== nf && F !== 2 * nf) throw new Error(`the model takes ${F} inputs per frame; streaming supports ${nf} features or ${nf} + their diffs (${2 * nf})`);
  return new FrameFeaturizer(scaler, F === 2 * nf);
}
