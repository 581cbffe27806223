// A Sequential model run layer by layer with every LSTM/GRU layer on the fused native kernel and
// the other layers on tfjs: shared by the training step and the predictor.
import * as tf from "@tensorflow/tfjs";
import { fusableLayer, FusedLayerShape, fusedRnn, fusedRnnInference, fusedRnnStatus, FusedScratch } from "./fused-rnn";

/**
 * Which code computes a model's training steps: the whole step native (lib/native/train_step.cc),
 * the fused native RNN kernel inside a tfjs step, or tfjs-layers' own.
 */
export type TrainingKernel = "fused-native-step" | "fused-native" | "tfjs-layers";

/** Computes a Dropout layer's training output instead of the layer (gradient averaging cuts a global mask to its rows). */
export type DropoutOverride = (layer: tf.layers.Layer, x: tf.Tensor, index: number) => tf.Tensor;

/** A Sequential model's output layer by layer on tfjs-layers, with Dropout optionally overridden in training. */
export function applyLayers(model: tf.LayersModel, xs: tf.Tensor, training: boolean, dropout?: DropoutOverride): tf.Tensor {
  let out = xs;
  model.layers.forEach((layer, i) => {
    out = applyTfjsLayer(layer, out, i, training, dropout);
  });
  return out;
}

function applyTfjsLayer(layer: tf.layers.Layer, x: tf.Tensor, index: number, training: boolean, dropout?: DropoutOverride): tf.Tensor {
  return training && dropout && layer.getClassName() === "Dropout" ? dropout(layer, x, index) : (layer.apply(x, { training }) as tf.Tensor);
}

/** The model's layers with their fused shapes (null where tfjs runs the layer), each with its own caches. */
export class FusedModel {
  private readonly scratch: FusedScratch[];

  private constructor(
    readonly model: tf.LayersModel,
    private readonly plan: (FusedLayerShape | null)[],
  ) {
    this.scratch = plan.map(() => new FusedScratch());
  }

  /** The fused model, or why this model cannot be fused (then tfjs-layers must run it). */
  static of(model: tf.LayersModel): FusedModel | string {
    const status = fusedRnnStatus();
    if (!status.available) return status.reason;
    if (model.getClassName() !== "Sequential") return "only Sequential models are fused";
    const plan: (FusedLayerShape | null)[] = [];
    for (const layer of model.layers) {
      const cls = layer.getClassName();
      if (cls === "LSTM" || cls === "GRU") {
        const shape = fusableLayer(layer);
        if (typeof shape === "string") return shape;
        plan.push(shape);
      } else {
        plan.push(null);
      }
    }
    if (!plan.some((s) => s !== null)) return "the model has no recurrent layer";
    return new FusedModel(model, plan);
  }

  /** The model's output for xs; `training` switches Dropout on. Differentiable in the weights. */
  apply(xs: tf.Tensor, training: boolean, dropout?: DropoutOverride): tf.Tensor {
    let out = xs;
    this.plan.forEach((step, i) => {
      const layer = this.model.layers[i];
      if (step === null) {
        out = applyTfjsLayer(layer, out, i, training, dropout);
      } else {
        const [kernel, recurrent, bias] = layer.trainableWeights.map((w) => w.read());
        // The first layer's input is data: no gradient wanted for it.
        out = fusedRnn(step, out as tf.Tensor3D, kernel, recurrent, bias, { scratch: this.scratch[i], inputGrad: i > 0 });
      }
    });
    return out;
  }

  /**
   * apply(xs, false)'s output bit for bit, recording no gradient: the recurrent layers without customGrad and
   * Dropout, the identity outside training, skipped (the predictor's path; a detector scores dozens of windows a frame).
   */
  predict(xs: tf.Tensor): tf.Tensor {
    let out = xs;
    this.plan.forEach((step, i) => {
      const layer = this.model.layers[i];
      if (step === null) {
        if (layer.getClassName() !== "Dropout") out = applyTfjsLayer(layer, out, i, false);
      } else {
        const [kernel, recurrent, bias] = layer.trainableWeights.map((w) => w.read());
        out = fusedRnnInference(step, out as tf.Tensor3D, kernel, recurrent, bias, this.scratch[i]);
      }
    });
    return out;
  }
}

export interface Predictor {
  kernel: TrainingKernel;
  /** Why tfjs-layers predicts, when it does. */
  reason?: string;
  /** The model's output for xs, as model.predict gives it (Dropout off). */
  predict(xs: tf.Tensor): tf.Tensor;
}

/** model.predict through the fused kernel where it applies, else model.predict itself (with the reason). */
export function makePredictor(model: tf.LayersModel): Predictor {
  const fused = FusedModel.of(model);
  if (typeof fused === "string") return { kernel: "tfjs-layers", reason: fused, predict: (xs) => model.predict(xs) as tf.Tensor };
  return { kernel: "fused-native", predict: (xs) => tf.tidy(() => fused.predict(xs)) };
}
