// Whether a compiled model's whole training step can run natively (lib/native/train_step.cc), and
// the layer layout that call takes: an optional Embedding front over [batch, T] ids, LSTM/GRU, Dropout
// and Dense layers, a Dense(1, sigmoid) output,
// (weighted) binary cross-entropy and Adam. Anything else is refused with the reason.
import * as tf from "@tensorflow/tfjs";
import { fusableLayer, fusedRnnStatus } from "./fused-rnn";
import { compiled } from "./compiled";
import { POSITIVE_WEIGHT } from "./rnn";

/** Layer codes and activation codes as train_step.cc reads them (6 ints a layer). */
const LAYER_TYPES = { rnn: 0, dropout: 1, dense: 2, embedding: 3 } as const;
const ACTIVATION_CODES: Record<string, number> = { tanh: 0, relu: 1, sigmoid: 2, hardSigmoid: 3, linear: 4 };
export const LAYOUT_INTS = 6;

/** Set to "0" to keep the whole step in tfjs around the fused RNN layers (the bench compares both). */
export const NATIVE_STEP_ENV = "FALL_NATIVE_STEP";

/** One Dropout layer: its rate, and the shape of its input past the batch axis. */
export interface DropoutSite {
  layer: tf.layers.Layer;
  rate: number;
  rowShape: number[];
}

export interface NativePlan {
  layout: Int32Array;
  timesteps: number;
  /** Floats per time step of the input: 1 (an id) in front of an Embedding. */
  features: number;
  dropouts: DropoutSite[];
  positiveWeight: number;
  /** Weights in model.trainableWeights order (= model.weights order), flat. */
  size: number;
  optimizer: { learningRate: number; beta1: number; beta2: number; epsilon: number };
}

/** The plan, or a sentence saying why this model's step cannot run natively. */
export function nativePlan(model: tf.LayersModel): NativePlan | string {
  const status = fusedRnnStatus();
  if (!status.available) return status.reason;
  if (process.env[NATIVE_STEP_ENV] === "0") return `${NATIVE_STEP_ENV}=0`;
  if (model.getClassName() !== "Sequential") return "only Sequential models run natively";
  const net = compiled(model);
  const positiveWeight = lossWeight(net.loss);
  if (typeof positiveWeight === "string") return positiveWeight;
  const optimizer = adamSettings(model.optimizer);
  if (typeof optimizer === "string") return optimizer;
  if (model.weights.length !== model.trainableWeights.length || model.trainableWeights.some((w, i) => w.name !== model.weights[i].name)) {
    return "every weight must be trainable, in model.weights order";
  }
  const input = model.inputs[0].shape;
  const embedded = model.layers[0]?.getClassName() === "Embedding";
  if (embedded && (model.inputs.length !== 1 || input.length !== 2 || input[1] == null)) return "an Embedding's input must be [batch, T] ids with T fixed";
  if (!embedded && (model.inputs.length !== 1 || input.length !== 3 || input[1] == null || input[2] == null)) return "the input must be [batch, T, F] with T and F fixed";
  const [timesteps, features] = [input[1] as number, embedded ? 1 : (input[2] as number)];
  const layout: number[] = [];
  const dropouts: DropoutSite[] = [];
  let rowShape = [timesteps, features];
  for (const [index, layer] of model.layers.entries()) {
    const cls = layer.getClassName();
    const c = layer.getConfig() as Record<string, unknown>;
    if (cls === "Embedding") {
      const problem = embeddingProblem(c);
      if (index !== 0 || problem) return `${layer.name}: ${problem ?? "an Embedding runs natively only as the first layer"}`;
      layout.push(LAYER_TYPES.embedding, Number(c.inputDim), 0, 0, Number(c.outputDim), 0);
      rowShape = [timesteps, Number(c.outputDim)];
    } else if (cls === "LSTM" || cls === "GRU") {
      const shape = fusableLayer(layer);
      if (typeof shape === "string") return shape;
      if (rowShape.length !== 2) return `${layer.name}: a recurrent layer needs a sequence input`;
      layout.push(LAYER_TYPES.rnn, shape.kind === "lstm" ? 0 : 1, ACTIVATION_CODES[shape.activation], ACTIVATION_CODES[shape.recurrentActivation], shape.units, shape.returnSequences ? 1 : 0);
      rowShape = shape.returnSequences ? [timesteps, shape.units] : [shape.units];
    } else if (cls === "Dropout") {
      if (c.noiseShape != null) return `${layer.name}: Dropout with a noiseShape`;
      dropouts.push({ layer, rate: Number(c.rate), rowShape: [...rowShape] });
      layout.push(LAYER_TYPES.dropout, 0, 0, 0, 0, 0);
    } else if (cls === "Dense") {
      const act = String(c.activation);
      if (!(act in ACTIVATION_CODES)) return `${layer.name}: activation ${act}`;
      if (c.useBias === false) return `${layer.name}: Dense without bias`;
      if (rowShape.length !== 1) return `${layer.name}: Dense on a sequence`;
      layout.push(LAYER_TYPES.dense, 0, ACTIVATION_CODES[act], 0, Number(c.units), 0);
      rowShape = [Number(c.units)];
    } else {
      return `${layer.name}: ${cls} layers do not run natively`;
    }
  }
  const last = model.layers[model.layers.length - 1];
  const lastConfig = last.getConfig() as Record<string, unknown>;
  if (last.getClassName() !== "Dense" || Number(lastConfig.units) !== 1 || lastConfig.activation !== "sigmoid") return "the last layer must be Dense(1, sigmoid)";
  const size = model.trainableWeights.reduce((n, w) => n + w.read().size, 0);
  return { layout: Int32Array.from(layout), timesteps, features, dropouts, positiveWeight, size, optimizer };
}

/** Why an Embedding's config cannot run natively (masking, regularizers, constraints), or undefined. */
function embeddingProblem(c: Record<string, unknown>): string | undefined {
  if (c.maskZero) return "Embedding with maskZero";
  for (const key of ["embeddingsRegularizer", "activityRegularizer", "embeddingsConstraint"]) {
    if (c[key] != null) return `Embedding with ${key}`;
  }
  return undefined;
}

/** The positive rows' weight of a compiled binary cross-entropy, or why the loss is not one. */
function lossWeight(loss: unknown): number | string {
  if (loss === "binaryCrossentropy") return 1;
  const tagged = typeof loss === "function" ? (loss as unknown as Record<string, unknown>)[POSITIVE_WEIGHT] : undefined;
  if (typeof tagged === "number") return tagged;
  return "only binary cross-entropy (plain or weightedBinaryCrossentropy) runs natively";
}

/** Adam's settings as tfjs's AdamOptimizer holds them, or why the optimizer is not Adam. */
function adamSettings(optimizer: tf.Optimizer | undefined): NativePlan["optimizer"] | string {
  if (!optimizer || optimizer.getClassName() !== "Adam") return "only the Adam optimizer runs natively";
  const o = optimizer as unknown as { learningRate: number; beta1: number; beta2: number; epsilon: number };
  return { learningRate: o.learningRate, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon };
}
