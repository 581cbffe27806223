// One training step on a batch, as model.trainOnBatch does it (mean loss, Adam, binary accuracy),
// with each recurrent layer run by the fused native kernel when it is available and fits.
import * as tf from "@tensorflow/tfjs";
import { FusedModel, TrainingKernel } from "./fused-model";
import { compiled } from "./compiled";

export { compiled } from "./compiled";

export type { TrainingKernel } from "./fused-model";

export interface TrainStep {
  kernel: TrainingKernel;
  /** Why tfjs-layers computes the step, when it does. */
  reason?: string;
  /** [loss, accuracy] of the batch, after the optimizer step. */
  run(xs: tf.Tensor, ys: tf.Tensor): Promise<[number, number]>;
}

/** The step for a compiled Sequential model; falls back to trainOnBatch with the reason. */
export function makeTrainStep(model: tf.LayersModel): TrainStep {
  const fused = FusedModel.of(model);
  const lossFns = compiled(model).lossFunctions ?? [];
  if (typeof fused === "string" || lossFns.length !== 1) {
    return {
      kernel: "tfjs-layers",
      reason: typeof fused === "string" ? fused : "only compiled single-output models are fused",
      run: async (xs, ys) => (await model.trainOnBatch(xs, ys)) as [number, number],
    };
  }
  const lossFn = lossFns[0];
  const optimizer = model.optimizer;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    kernel: "fused-native",
    run: async (xs, ys) => {
      const { loss, acc, grads } = lossAndGradients(() => fused.apply(xs, true), lossFn, ys, vars);
      optimizer.applyGradients(grads);
      tf.dispose(Object.values(grads));
      return [loss, acc];
    },
  };
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
