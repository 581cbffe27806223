// One training step on a batch, as model.trainOnBatch does it (mean loss, Adam, binary accuracy):
// wholly native where the model fits (native-step.ts), else with each recurrent layer on the fused
// native kernel, else trainOnBatch.
import * as tf from "@tensorflow/tfjs";
import { FusedModel, TrainingKernel } from "./fused-model";
import { compiled } from "./compiled";
import { NativeStep } from "./native-step";
import { AdamState, readTfjsAdam, writeTfjsAdam } from "./adam-state";

export { compiled } from "./compiled";

export type { TrainingKernel } from "./fused-model";

export interface TrainStep {
  kernel: TrainingKernel;
  /** Why tfjs-layers computes the step, or why the whole step is not native, when so. */
  reason?: string;
  /** [loss, accuracy] of the batch, after the optimizer step. */
  run(xs: tf.Tensor, ys: tf.Tensor): Promise<[number, number]>;
  /**
   * The same step on plain arrays (x: `batch` rows of the model's input, y: their labels), where the
   * step is native: no tensor is made, so a training loop does no per-batch tfjs work.
   */
  runArrays?(x: Float32Array, y: Float32Array, batch: number): [number, number];
  /** Writes what the step holds outside the model (native weights, Adam's state) into it. */
  sync(): void;
  /** Writes only the weights into the model (with lazyWeights, before reading the model); cheaper than sync(). */
  syncWeights(): void;
  /**
   * The weights the step trains, live, flat in model.weights order, when it keeps them outside the model (the
   * native step); undefined when the model's variables are the weights. Writing them needs no tfjs call, and the
   * next run() uses them; the model stays stale until syncWeights().
   */
  readonly weights?: Float32Array;
  /** Adam's learning rate; setting it changes the next run()'s step (a warm-up schedule). */
  learningRate: number;
  /** Copies Adam's moments and step count out, flat in trainableWeights order. */
  readAdam(into: AdamState): void;
  /** Continues from this Adam state (weight averaging with averaged moments). */
  writeAdam(state: AdamState): void;
}

export interface TrainStepOptions {
  /**
   * The native step writes its weights into the model only on sync() (the caller promises to sync
   * before reading the model); by default after every batch, so any reader sees them.
   */
  lazyWeights?: boolean;
}

/** The step for a compiled Sequential model: all native, fused RNN layers, or trainOnBatch (with the reason). */
export function makeTrainStep(model: tf.LayersModel, opts: TrainStepOptions = {}): TrainStep {
  const native = NativeStep.of(model);
  if (typeof native !== "string") return nativeTrainStep(native, opts.lazyWeights ?? false);
  const fused = FusedModel.of(model);
  const lossFns = compiled(model).lossFunctions ?? [];
  if (typeof fused === "string" || lossFns.length !== 1) {
    return tfjsOptimizerStep(model, {
      kernel: "tfjs-layers",
      reason: typeof fused === "string" ? fused : "only compiled single-output models are fused",
      run: async (xs, ys) => (await model.trainOnBatch(xs, ys)) as [number, number],
    });
  }
  const lossFn = lossFns[0];
  const optimizer = model.optimizer;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return tfjsOptimizerStep(model, {
    kernel: "fused-native",
    reason: `whole step not native: ${native}`,
    run: async (xs, ys) => {
      const { loss, acc, grads } = lossAndGradients(() => fused.apply(xs, true), lossFn, ys, vars);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      return [loss, acc];
    },
  });
}

/** A step that leaves weights and Adam's state in tfjs: nothing to sync; the optimizer's own fields. */
function tfjsOptimizerStep(model: tf.LayersModel, step: Pick<TrainStep, "kernel" | "reason" | "run">): TrainStep {
  const opt = model.optimizer as unknown as { learningRate: number };
  return {
    ...step,
    sync: () => undefined,
    syncWeights: () => undefined,
    get learningRate() {
      return opt.learningRate;
    },
    set learningRate(lr: number) {
      opt.learningRate = lr;
    },
    readAdam: (into) => readTfjsAdam(model, into),
    writeAdam: (state) => writeTfjsAdam(model, state),
  };
}

/** Forward, loss, gradients and Adam in two native calls; Dropout masks from the layers' seeds. */
function nativeTrainStep(native: NativeStep, lazyWeights: boolean): TrainStep {
  const runArrays = (x: Float32Array, y: Float32Array, B: number): [number, number] => {
    const masks = native.masks({ offset: 0, total: B }, B, native.layerSeeds());
    const result = native.lossAndGradients(x, y, B, masks);
    native.adam();
    if (!lazyWeights) native.writeToModel();
    return result;
  };
  return {
    kernel: "fused-native-step",
    run: async (xs, ys) => runArrays(floats(xs), floats(ys), xs.shape[0]),
    runArrays,
    sync: () => {
      native.writeToModel();
      native.writeOptimizer();
    },
    syncWeights: () => native.writeToModel(),
    weights: native.weights, // nativePlan requires trainableWeights in model.weights order: the store's layout
    get learningRate() {
      return native.learningRate;
    },
    set learningRate(lr: number) {
      native.learningRate = lr;
    },
    readAdam: (into) => native.readAdam(into),
    writeAdam: (state) => native.writeAdam(state),
  };
}

/**
 * One step on plain arrays (x: exactly `batch` rows, shaped `shape`) whatever the step: the native step takes them as they are; the others get
 * tensors made here (and disposed), so a training loop has one call for every kind of step.
 */
export function runOnArrays(step: TrainStep, x: Float32Array, y: Float32Array, batch: number, shape: readonly number[]): [number, number] | Promise<[number, number]> {
  // The native step answers at once: no promise and microtask turn a batch for it.
  if (step.runArrays) return step.runArrays(x, y, batch);
  return runTensors(step, x, y, batch, shape);
}

async function runTensors(step: TrainStep, x: Float32Array, y: Float32Array, batch: number, shape: readonly number[]): Promise<[number, number]> {
  const xs = tf.tensor(x, [...shape]); // x holds exactly `batch` rows of `shape`
  const ys = tf.tensor2d(y.slice(0, batch), [batch, 1]);
  try {
    return await step.run(xs, ys);
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/** A tensor's values as float32 (an int32 tensor of Embedding ids is converted, as tfjs casts them back). */
function floats(t: tf.Tensor): Float32Array {
  const data = t.dataSync();
  return data instanceof Float32Array ? data : Float32Array.from(data as Int32Array);
}

/**
 * The batch's mean loss and binary accuracy (threshold 0.5) of `forward()`'s output, and the
 * gradients of that loss in `vars` (the caller applies and disposes them). Shared by the fused
 * training step and the gradient-averaging step.
 */
export function lossAndGradients(
  forward: () => tf.Tensor,
  lossFn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor,
  ys: tf.Tensor,
  vars: tf.Variable[],
): { loss: number; acc: number; grads: tf.NamedTensorMap } {
  let pred: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const p = forward();
    pred = tf.keep(p);
    return tf.mean(lossFn(ys, p)) as tf.Scalar;
  }, vars);
  const p = pred as unknown as tf.Tensor;
  const acc = tf.tidy(() => tf.mean(tf.equal(ys, tf.cast(tf.greater(p, 0.5), ys.dtype))));
  const result = { loss: value.dataSync()[0], acc: acc.dataSync()[0], grads };
  tf.dispose([value, acc, p]);
  return result;
}
