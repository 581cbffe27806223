// Frame-by-frame fall probability with constant work per frame: one step of a stateful copy of the
// trained LSTM/GRU, its state kept between calls.
//
// How this differs from window scoring: the trained model restarts from a zero state for every
// window of T frames, so its score only sees the last T frames. This detector never restarts (until
// reset()), so after the first T frames its probabilities differ from the window model's — it
// sees the whole stream, with a state the model was never trained to carry beyond T steps. Its
// score at frame T-1 after a reset equals the window model's score of frames 0..T-1. Use
// WindowedStream when the output must equal the window model's (work O(T) per frame instead), and
// lib/detect's FallDetector for alarms: it is exactly the evaluated model (ensemble, smoothing, threshold).
import * as tf from "@tensorflow/tfjs";
import type { Scaler } from "../data/scaler";
import { loadModelFiles } from "../model/io";
import { readPreprocessing } from "../export/preprocessing";
import { refuseEnsembleFolder } from "../export/ensemble-folder";
import { FrameFeaturizer, featurizerFor } from "./frame-features";
import { recurrentLayers, statefulCopy, windowInputShape } from "./stateful-copy";

/** What both streaming scorers offer (measureStreamingLatency takes either). */
export interface FrameScorer {
  /** Score the next frame (8 URFD features); `frame` is its number when frames may be missing. */
  push(features: ArrayLike<number>, frame?: number): number | null;
  /** Forget everything seen: the next frame starts a new stream. */
  reset(): void;
}

export class StreamingDetector implements FrameScorer {
  private readonly featurizer: FrameFeaturizer;
  private readonly row: Float32Array;
  private disposed = false;

  private constructor(
    private readonly stepModel: tf.LayersModel,
    scaler: Scaler,
  ) {
    this.featurizer = featurizerFor(windowInputShape(stepModel).F, scaler);
    this.row = new Float32Array(this.featurizer.F);
  }

  /** From a trained window model (left untouched) and the scaler it was trained with. */
  static async fromModel(model: tf.LayersModel, scaler: Scaler): Promise<StreamingDetector> {
    return new StreamingDetector(await statefulCopy(model), scaler);
  }

  /** From a saved model folder; the scaler defaults to the folder's preprocessing.json. */
  static async fromDir(dir: string, scaler?: Scaler): Promise<StreamingDetector> {
    refuseEnsembleFolder(dir, "StreamingDetector");
    const model = await loadModelFiles(dir);
    try {
      return await StreamingDetector.fromModel(model, scaler ?? readPreprocessing(dir).scaler);
    } finally {
      model.dispose();
    }
  }

  /** Fall probability after this frame. */
  push(features: ArrayLike<number>, frame?: number): number {
    if (this.disposed) throw new Error("StreamingDetector was disposed");
    this.featurizer.next(features, this.row, frame);
    // The stateful layers replace (and free) their previous state inside predict; tidy frees the rest.
    return tf.tidy(() => (this.stepModel.predict(tf.tensor3d(this.row, [1, 1, this.row.length])) as tf.Tensor).dataSync()[0]);
  }

  reset(): void {
    this.stepModel.resetStates();
    this.featurizer.reset();
  }

  /** Tensors holding the recurrent state (constant: 2 per LSTM layer, 1 per GRU layer). */
  stateTensorCount(): number {
    return recurrentLayers(this.stepModel).reduce((n, l) => n + (l.states?.filter((s) => s != null).length ?? 0), 0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    // LayersModel.dispose frees weights but not a stateful layer's state tensors.
    for (const l of recurrentLayers(this.stepModel)) tf.dispose((l.states ?? []).filter((t) => t != null));
    this.stepModel.dispose();
  }
}
