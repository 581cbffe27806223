// Frame-by-frame fall probability with constant work per frame: one step of the trained LSTM/GRU
// from its state kept between calls, in one native call (stream_step.cc) where the addon is built and
// the model fits it, else through a stateful tfjs-layers copy; `kernel` says which, `kernelNote` why.
//
// How this differs from window scoring: the trained model restarts from a zero state for every
// window of T frames, so its score only sees the last T frames. This detector never restarts (until
// reset()), so after the first T frames its probabilities differ from the window model's — it
// sees the whole stream, with a state the model was never trained to carry beyond T steps. Its
// score at frame T-1 after a reset equals the window model's score of frames 0..T-1. Use
// WindowedStream when the output must equal the window model's (work O(T) per frame instead), and
// lib/detect's FallDetector for alarms: it is exactly the evaluated model (ensemble, smoothing, threshold).
import type * as tf from "@tensorflow/tfjs";
import type { Scaler } from "../data/scaler";
import { loadModelFiles } from "../model/io";
import { readPreprocessing } from "../export/preprocessing";
import { refuseEnsembleFolder } from "../export/ensemble-folder";
import { FrameFeaturizer, featurizerFor } from "./frame-features";
import { windowInputShape } from "./stateful-copy";
import { chooseStreamStep, FrameStep, StreamKernel, StreamKernelChoice } from "./stream-kernel";

/** What both streaming scorers offer (measureStreamingLatency takes either). */
export interface FrameScorer {
  /** Score the next frame (8 URFD features); `frame` is its number when frames may be missing. */
  push(features: ArrayLike<number>, frame?: number): number | null;
  /** Forget everything seen: the next frame starts a new stream. */
  reset(): void;
}

export interface StreamingOptions {
  /** "auto" (default): the native stream step where it can run, else the tfjs-layers stateful copy. */
  kernel?: StreamKernelChoice;
}

export class StreamingDetector implements FrameScorer {
  /** Which code steps the model: "fused-native-stream" or "tfjs-layers-stateful". */
  readonly kernel: StreamKernel;
  /** Why the native stream step is not used, when it is not. */
  readonly kernelNote?: string;
  private readonly featurizer: FrameFeaturizer;
  private readonly row: Float32Array;
  private disposed = false;

  private constructor(
    private readonly stepper: FrameStep,
    F: number,
    scaler: Scaler,
    kernel: StreamKernel,
    note: string | undefined,
  ) {
    this.featurizer = featurizerFor(F, scaler);
    this.row = new Float32Array(this.featurizer.F);
    this.kernel = kernel;
    if (note !== undefined) this.kernelNote = note;
  }

  /** From a trained window model (left untouched: its weights are copied) and the scaler it was trained with. */
  static async fromModel(model: tf.LayersModel, scaler: Scaler, opts: StreamingOptions = {}): Promise<StreamingDetector> {
    const { F } = windowInputShape(model);
    featurizerFor(F, scaler); // a scaler for other inputs is refused before any copy is made
    const chosen = await chooseStreamStep(model, opts.kernel);
    return new StreamingDetector(chosen.step, F, scaler, chosen.kernel, chosen.note);
  }

  /** From a saved model folder; the scaler defaults to the folder's preprocessing.json. */
  static async fromDir(dir: string, scaler?: Scaler, opts: StreamingOptions = {}): Promise<StreamingDetector> {
    refuseEnsembleFolder(dir, "StreamingDetector");
    const model = await loadModelFiles(dir);
    try {
      return await StreamingDetector.fromModel(model, scaler ?? readPreprocessing(dir).scaler, opts);
    } finally {
      model.dispose();
    }
  }

  /** Fall probability after this frame. */
  push(features: ArrayLike<number>, frame?: number): number {
    if (this.disposed) throw new Error("StreamingDetector was disposed");
    this.featurizer.next(features, this.row, frame);
    return this.stepper.step(this.row);
  }

  reset(): void {
    if (this.disposed) throw new Error("StreamingDetector was disposed");
    this.stepper.reset();
    this.featurizer.reset();
  }

  /** Tensors holding the recurrent state: 2 per LSTM layer, 1 per GRU layer on tfjs; 0 natively (a Float32Array). */
  stateTensorCount(): number {
    return this.stepper.stateTensorCount();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stepper.dispose();
  }
}
