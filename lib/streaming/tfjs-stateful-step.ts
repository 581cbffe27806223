// The tfjs-layers way to step a stream: a stateful single-step copy of the model (stateful-copy.ts),
// one predict a frame. What StreamingDetector falls back to where the native stream cannot run.
import * as tf from "@tensorflow/tfjs";
import { recurrentLayers, statefulCopy } from "./stateful-copy";

export class TfjsStatefulStep {
  private constructor(private readonly stepModel: tf.LayersModel) {}

  /** The copy of a trained window model (the model itself is left untouched). */
  static async of(model: tf.LayersModel): Promise<TfjsStatefulStep> {
    return new TfjsStatefulStep(await statefulCopy(model));
  }

  step(row: Float32Array): number {
    // The stateful layers replace (and free) their previous state inside predict; tidy frees the rest.
    return tf.tidy(() => (this.stepModel.predict(tf.tensor3d(row, [1, 1, row.length])) as tf.Tensor).dataSync()[0]);
  }

  reset(): void {
    this.stepModel.resetStates();
  }

  /** Tensors holding the recurrent state (constant: 2 per LSTM layer, 1 per GRU layer). */
  stateTensorCount(): number {
    return recurrentLayers(this.stepModel).reduce((n, l) => n + (l.states?.filter((s) => s != null).length ?? 0), 0);
  }

  dispose(): void {
    // LayersModel.dispose frees weights but not a stateful layer's state tensors.
    for (const l of recurrentLayers(this.stepModel)) tf.dispose((l.states ?? []).filter((t) => t != null));
    this.stepModel.dispose();
  }
}
