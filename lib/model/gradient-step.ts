// One worker's half of a gradient-averaging step: the gradient of the mean loss over its rows of
// the global batch, flat in weight order, and the optimiser update every worker then applies with
// the same averaged gradient (so all workers keep identical weights and one Adam state).
import * as tf from "@tensorflow/tfjs";
import { applyLayers, DropoutOverride, FusedModel, TrainingKernel } from "./fused-model";
import { dropoutRows, RowSlice } from "./dropout-rows";
import { compiled, lossAndGradients } from "./train-step";

export interface GradientStep {
  kernel: TrainingKernel;
  /** Why tfjs-layers computes the step, when it does. */
  reason?: string;
  /** Floats in the flat gradient: the model's weight count, in model.weights order. */
  size: number;
  /** Dropout layers in the model: how many seeds compute() takes. */
  dropoutLayers: number;
  /**
   * [loss, accuracy] of these rows (means), and the gradient of their mean loss written into `out`.
   * `rows` places them in the global batch so Dropout cuts the global batch's mask (one seed a layer).
   */
  compute(xs: tf.Tensor, ys: tf.Tensor, rows: RowSlice, dropoutSeeds: readonly number[], out: Float32Array): [number, number];
  /** One optimiser step with this flat gradient. */
  apply(grad: Float32Array): void;
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
  const dropoutIndex = new Map<number, number>();
  model.layers.forEach((l, i) => {
    if (l.getClassName() === "Dropout") dropoutIndex.set(i, dropoutIndex.size);
  });
  const fused = FusedModel.of(model);
  const forward = (xs: tf.Tensor, dropout: DropoutOverride): tf.Tensor =>
    typeof fused === "string" ? applyLayers(model, xs, true, dropout) : fused.apply(xs, true, dropout);

  return {
    kernel: typeof fused === "string" ? "tfjs-layers" : "fused-native",
    ...(typeof fused === "string" ? { reason: fused } : {}),
    size,
    dropoutLayers: dropoutIndex.size,
    compute(xs, ys, rows, dropoutSeeds, out) {
      if (dropoutSeeds.length !== dropoutIndex.size) throw new RangeError(`compute: ${dropoutSeeds.length} dropout seeds for ${dropoutIndex.size} Dropout layers`);
      if (out.length !== size) throw new RangeError(`compute: gradient buffer of ${out.length} floats, model has ${size}`);
      const dropout: DropoutOverride = (layer, x, i) => dropoutRows(x, (layer as unknown as { rate: number }).rate, dropoutSeeds[dropoutIndex.get(i)!], rows);
      const { loss, acc, grads } = lossAndGradients(() => forward(xs, dropout), lossFn, ys, vars);
      let offset = 0;
      for (const v of vars) {
        out.set(grads[v.name].dataSync() as Float32Array, offset);
        offset += v.size;
      }
      tf.dispose(Object.values(grads));
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
  };
}
