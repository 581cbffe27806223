// One worker's half of a gradient-averaging step: the gradient of the mean loss over its rows of
// the global batch, flat in weight order, and the optimiser update every worker then applies with
// the same averaged gradient (so all workers keep identical weights and one Adam state). Wholly
// native where the model fits (native-step.ts), else tfjs around the fused layers, else tfjs.
import * as tf from "@tensorflow/tfjs";
import { applyLayers, DropoutOverride, FusedModel, TrainingKernel } from "./fused-model";
import { dropoutRows, RowSlice } from "./dropout-rows";
import { compiled, lossAndGradients } from "./train-step";
import { NativeStep } from "./native-step";
import { adamOf } from "./adam-state";
import type { AdamHyper } from "./adam-update";
import { readFlatWeights } from "./model-weights";

export interface GradientStep {
  kernel: TrainingKernel;
  /** Why tfjs-layers computes the step, or why the whole step is not native, when so. */
  reason?: string;
  /** Floats in the flat gradient: the model's weight count, in model.weights order. */
  size: number;
  /** Dropout layers in the model: how many seeds compute() takes. */
  dropoutLayers: number;
  /**
   * [loss, accuracy] of these rows (x: y.length rows of the model's input, y: their labels; means),
   * and the gradient of their mean loss written into `out`. `rows` places them in the global batch
   * so Dropout cuts the global batch's mask (one seed a layer).
   */
  compute(x: Float32Array, y: Float32Array, rows: RowSlice, dropoutSeeds: ArrayLike<number>, out: Float32Array): [number, number];
  /** One optimiser step with this flat gradient. */
  apply(grad: Float32Array): void;
  /** Writes what the step holds outside the model (native weights, Adam's state) into it: before reading the model. */
  sync(): void;
  /** Takes these weights (flat, model.weights order) for the next compute(): a worker's read of shared weights. */
  load(weights: Float32Array): void;
  /** The weights the next compute() uses, flat in model.weights order, into `out` (the native step: without tfjs). */
  readWeights(out: Float32Array): void;
  /** Makes the buffers a global batch of `rows` rows needs now, before a fit, rather than at its first batch. */
  reserveBatch(rows: number): void;
  /** The compiled Adam's hyperparameters (a shared optimizer outside the step applies them). */
  adamHyper(): AdamHyper;
}

export function makeGradientStep(model: tf.LayersModel): GradientStep {
  const net = compiled(model);
  const lossFns = net.lossFunctions ?? [];
  if (lossFns.length !== 1) throw new Error("gradient averaging needs a compiled single-output model");
  const lossFn = lossFns[0];
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const names = model.weights.map((w) => w.name);
  if (names.length !== vars.length || model.trainableWeights.some((w, i) => w.name !== names[i])) {
    throw new Error("gradient averaging needs every weight trainable, in model.weights order");
  }
  const sizes = vars.map((v) => v.size);
  const size = sizes.reduce((a, b) => a + b, 0);
  const rowShape = model.inputs[0].shape.slice(1) as number[];
  const checkSizes = (seeds: ArrayLike<number>, out: Float32Array, dropouts: number) => checkComputeSizes(seeds, out, dropouts, size);
  const native = NativeStep.of(model);
  if (typeof native !== "string") return new NativeGradientStep(native, size);
  const dropoutIndex = new Map<number, number>();
  model.layers.forEach((l, i) => {
    if (l.getClassName() === "Dropout") dropoutIndex.set(i, dropoutIndex.size);
  });
  const fused = FusedModel.of(model);
  const forward = (xs: tf.Tensor, dropout: DropoutOverride): tf.Tensor =>
    typeof fused === "string" ? applyLayers(model, xs, true, dropout) : fused.apply(xs, true, dropout);

  return {
    kernel: typeof fused === "string" ? "tfjs-layers" : "fused-native",
    reason: typeof fused === "string" ? fused : `whole step not native: ${native}`,
    size,
    dropoutLayers: dropoutIndex.size,
    compute(x, y, rows, dropoutSeeds, out) {
      checkSizes(dropoutSeeds, out, dropoutIndex.size);
      const xs = tf.tensor(x, [y.length, ...rowShape]);
      const ys = tf.tensor2d(y, [y.length, 1]);
      const dropout: DropoutOverride = (layer, x, i) => dropoutRows(x, (layer as unknown as { rate: number }).rate, dropoutSeeds[dropoutIndex.get(i)!], rows);
      const { loss, acc, grads } = lossAndGradients(() => forward(xs, dropout), lossFn, ys, vars);
      let offset = 0;
      for (const v of vars) {
        out.set(grads[v.name].dataSync() as Float32Array, offset);
        offset += v.size;
      }
      tf.dispose([xs, ys, ...Object.values(grads)]);
      return [loss, acc];
    },
    apply(grad) {
      if (grad.length !== size) throw new RangeError(`apply: gradient of ${grad.length} floats, model has ${size}`);
      const named: tf.NamedTensorMap = {};
      let offset = 0;
      vars.forEach((v, i) => {
        named[v.name] = tf.tensor(grad.slice(offset, offset + sizes[i]), v.shape);
        offset += sizes[i];
      });
      model.optimizer.applyGradients(named);
      tf.dispose(Object.values(named));
    },
    sync: () => undefined,
    load(weights) {
      if (weights.length !== size) throw new RangeError(`load: ${weights.length} floats, model has ${size}`);
      let offset = 0;
      for (const v of vars) {
        // A copy: a tensor may keep the array it was made from, and the caller reuses its buffer.
        tf.tidy(() => v.assign(tf.tensor(weights.slice(offset, offset + v.size), v.shape)));
        offset += v.size;
      }
    },
    reserveBatch: () => undefined,
    readWeights(out) {
      if (out.length !== size) throw new RangeError(`readWeights: ${out.length} floats, model has ${size}`);
      readFlatWeights(model, out);
    },
    adamHyper() {
      const adam = adamOf(model);
      return { learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon };
    },
  };
}

function checkComputeSizes(seeds: ArrayLike<number>, out: Float32Array, dropouts: number, size: number): void {
  if (seeds.length !== dropouts) throw new RangeError(`compute: ${seeds.length} dropout seeds for ${dropouts} Dropout layers`);
  if (out.length !== size) throw new RangeError(`compute: gradient buffer of ${out.length} floats, model has ${size}`);
}

/**
 * The whole step native. A class, not an object of closures: a worker's loop calls compute and apply every
 * micro-batch, and V8 compiled it against the first fit's closures, so a thread's next fit (new closures) threw that
 * code away and compiled it again (14 ms on the worker's own thread, while the other threads waited).
 */
class NativeGradientStep implements GradientStep {
  readonly kernel = "fused-native-step";
  readonly dropoutLayers: number;

  constructor(
    private readonly native: NativeStep,
    readonly size: number,
  ) {
    this.dropoutLayers = native.plan.dropouts.length;
  }

  compute(x: Float32Array, y: Float32Array, rows: RowSlice, dropoutSeeds: ArrayLike<number>, out: Float32Array): [number, number] {
    checkComputeSizes(dropoutSeeds, out, this.dropoutLayers, this.size);
    return this.native.lossAndGradients(x, y, y.length, this.native.masks(rows, y.length, dropoutSeeds), out);
  }

  apply(grad: Float32Array): void {
    this.native.adam(grad);
  }

  sync(): void {
    this.native.writeToModel();
    this.native.writeOptimizer();
  }

  // Not weights.set alone: a model written meanwhile (validation) would be read back over them.
  load(weights: Float32Array): void {
    this.native.loadWeights(weights);
  }

  readWeights(out: Float32Array): void {
    this.native.readWeights(out);
  }

  reserveBatch(rows: number): void {
    this.native.reserveRows(rows);
  }

  adamHyper(): AdamHyper {
    return { ...this.native.plan.optimizer, learningRate: this.native.learningRate };
  }
}
