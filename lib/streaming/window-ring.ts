// The last T standardised frames of a stream, in a ring: what WindowedStream and the fall detector
// score. Rows are the featurizer's (bit for bit makeWindows + applyScaler), oldest first in window().
import type { Scaler } from "../data/scaler";
import { FrameFeaturizer, featurizerFor } from "./frame-features";

export class WindowRing {
  readonly F: number;
  private readonly featurizer: FrameFeaturizer;
  private readonly ring: Float32Array;
  private readonly buf: Float32Array;
  /** Frames pushed since the last reset. */
  private seen = 0;

  constructor(
    readonly T: number,
    F: number,
    scaler: Scaler,
  ) {
    if (!Number.isInteger(T) || T < 1) throw new RangeError(`a window must hold a positive whole number of frames, got ${T}`);
    this.featurizer = featurizerFor(F, scaler);
    this.F = F;
    this.ring = new Float32Array(T * F);
    this.buf = new Float32Array(T * F);
  }

  /** Add the next frame (8 raw features; `frame` its number when frames may be missing); returns the frames seen since reset. */
  push(features: ArrayLike<number>, frame?: number): number {
    const slot = this.seen % this.T;
    this.featurizer.next(features, this.ring.subarray(slot * this.F, (slot + 1) * this.F), frame);
    return ++this.seen;
  }

  /** Frames pushed since the last reset. */
  get count(): number {
    return this.seen;
  }

  /** The last T rows, oldest first (a view reused by the next call); throws before T frames. */
  window(): Float32Array {
    const { T, F } = this;
    if (this.seen < T) throw new RangeError(`a window needs ${T} frames, ${this.seen} seen`);
    const oldest = this.seen % T;
    this.buf.set(this.ring.subarray(oldest * F), 0);
    this.buf.set(this.ring.subarray(0, oldest * F), (T - oldest) * F);
    return this.buf;
  }

  reset(): void {
    this.seen = 0;
    this.featurizer.reset();
  }
}
