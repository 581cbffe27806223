// One training step on a batch, as model.trainOnBatch does it (mean loss, Adam, binary accuracy),
// with each recurrent layer run by the fused native kernel when it is available and fits.
import * as tf from "@tensorflow/tfjs";
import { fusableLayer, FusedLayerShape, fusedRnn, fusedRnnStatus, FusedScratch } from "./fused-rnn";

/** Which code computes a training step: the fused native RNN kernel or tfjs-layers' own. */
export type TrainingKernel = "fused-native" | "tfjs-layers";

export interface TrainStep {
  kernel: TrainingKernel;
  /** Why tfjs-layers computes the step, when it does. */
  reason?: string;
  /** [loss, accuracy] of the batch, after the optimizer step. */
  run(xs: tf.Tensor, ys: tf.Tensor): Promise<[number, number]>;
}

/** The step for a compiled Sequential model; falls back to trainOnBatch with the reason. */
export function makeTrainStep(model: tf.LayersModel): TrainStep {
  const status = fusedRnnStatus();
  const plan = status.available ? fusedPlan(model) : status.reason;
  if (typeof plan === "string") {
    return {
      kernel: "tfjs-layers",
      reason: plan,
      run: async (xs, ys) => (await model.trainOnBatch(xs, ys)) as [number, number],
    };
  }
  const lossFn = compiled(model).lossFunctions[0];
  const optimizer = model.optimizer;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const scratch = plan.map(() => new FusedScratch());
  const forward = (xs: tf.Tensor): tf.Tensor => {
    let out = xs;
    plan.forEach((step, i) => {
      const layer = model.layers[i];
      if (step === null) {
        out = layer.apply(out, { training: true }) as tf.Tensor;
      } else {
        const [kernel, recurrent, bias] = layer.trainableWeights.map((w) => w.read());
        out = fusedRnn(step, out as tf.Tensor3D, kernel, recurrent, bias, { scratch: scratch[i], inputGrad: i > 0 });
      }
    });
    return out;
  };
  return {
    kernel: "fused-native",
    run: async (xs, ys) => {
      let pred: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const p = forward(xs);
        pred = tf.keep(p);
        return tf.mean(lossFn(ys, p)) as tf.Scalar;
      }, vars);
      optimizer.applyGradients(grads);
      const p = pred as unknown as tf.Tensor;
      const acc = tf.tidy(() => tf.mean(tf.equal(ys, tf.cast(tf.greater(p, 0.5), ys.dtype))));
      const result: [number, number] = [value.dataSync()[0], acc.dataSync()[0]];
      tf.dispose([value, acc, p, ...Object.values(grads)]);
      return result;
    },
  };
}

/** A Sequential compiles the LayersModel it wraps: that one holds the loss functions. */
function compiled(model: tf.LayersModel): tf.LayersModel {
  return (model as unknown as { model?: tf.LayersModel }).model ?? model;
}

/** Per layer: the fused shape for a recurrent layer, null for one tfjs runs; or why not fusable. */
function fusedPlan(model: tf.LayersModel): (FusedLayerShape | null)[] | string {
  if (model.getClassName() !== "Sequential") return "only Sequential models are fused";
  if (compiled(model).lossFunctions?.length !== 1) return "only compiled single-output models are fused";
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
  return plan;
}
