// Frame-by-frame scoring that equals the window model exactly: a ring buffer of the last T
// standardised frames, scored as one [1, T, F] window on every frame (work O(T), not O(stream)).
import * as tf from "@tensorflow/tfjs";
import type { Scaler } from "../data/scaler";
import { loadModelFiles } from "../model/io";
import { readPreprocessing } from "../export/preprocessing";
import { refuseEnsembleFolder } from "../export/ensemble-folder";
import { WindowRing } from "./window-ring";
import type { FrameScorer } from "./streaming-detector";
import { windowInputShape } from "./stateful-copy";

export class WindowedStream implements FrameScorer {
  readonly T: number;
  readonly F: number;
  private readonly ring: WindowRing;
  private window: Float32Array;

  /** `model` is the trained window model itself: not copied, and disposed by dispose() only when `owned`. */
  constructor(
    private readonly model: tf.LayersModel,
    scaler: Scaler,
    private readonly owned = false,
  ) {
    const { T, F } = windowInputShape(model);
    if (T === null) throw new Error("WindowedStream needs a model with a fixed window length T");
    this.T = T;
    this.F = F;
    this.ring = new WindowRing(T, F, scaler);
    this.window = new Float32Array(T * F);
  }

  private disposed = false;

  /** From a saved model folder; the scaler defaults to the folder's preprocessing.json. */
  static async fromDir(dir: string, scaler?: Scaler): Promise<WindowedStream> {
    refuseEnsembleFolder(dir, "WindowedStream");
    const model = await loadModelFiles(dir);
    try {
      return new WindowedStream(model, scaler ?? readPreprocessing(dir).scaler, true);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }

  /** Score of the window ending at this frame; null until T frames have been seen. */
  push(features: ArrayLike<number>, frame?: number): number | null {
    if (this.disposed) throw new Error("WindowedStream was disposed");
    const { T, F } = this;
    if (this.ring.push(features, frame) < T) return null;
    this.window = this.ring.window();
    return tf.tidy(() => (this.model.predict(tf.tensor3d(this.window, [1, T, F])) as tf.Tensor).dataSync()[0]);
  }

  /** The window that the last push scored (T × F, oldest frame first), for checks. */
  lastWindow(): Float32Array {
    return this.window.slice();
  }

  reset(): void {
    if (this.disposed) throw new Error("WindowedStream was disposed");
    this.ring.reset();
  }

  /** Frees the model when this stream loaded it (fromDir); a model passed in stays the caller's. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.owned) this.model.dispose();
  }
}
