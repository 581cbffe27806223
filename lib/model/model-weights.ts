// Moving a tfjs model's weights to and from one flat vector (main thread, workers and the gradient step).
import * as tf from "@tensorflow/tfjs";
import { Shape, sizeOf, totalSize } from "./shape";

export function weightShapes(model: tf.LayersModel): Shape[] {
  return model.weights.map((w) => [...w.shape] as number[]);
}

export function weightCount(model: tf.LayersModel): number {
  return totalSize(weightShapes(model));
}

/** Copy the model's weights into `out`. getWeights returns the live variables: never dispose them. */
export function readFlatWeights(model: tf.LayersModel, out: Float32Array = new Float32Array(weightCount(model))): Float32Array {
  let offset = 0;
  for (const w of model.getWeights()) {
    const values = w.dataSync();
    out.set(values, offset);
    offset += values.length;
  }
  if (offset !== out.length) throw new RangeError(`model has ${offset} weights, vector ${out.length}`);
  return out;
}

/** Set the model's weights from a flat vector. Each tensor gets its own copy (never a shared view). */
export function writeFlatWeights(model: tf.LayersModel, flat: Float32Array): void {
  const shapes = weightShapes(model);
  if (totalSize(shapes) !== flat.length) throw new RangeError(`model has ${totalSize(shapes)} weights, vector ${flat.length}`);
  tf.tidy(() => {
    let offset = 0;
    const tensors = shapes.map((shape) => {
      const size = sizeOf(shape);
      const t = tf.tensor(flat.slice(offset, offset + size), shape as number[]);
      offset += size;
      return t;
    });
    model.setWeights(tensors);
  });
}
