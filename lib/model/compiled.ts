// The LayersModel that holds a model's compiled loss: a Sequential compiles the one it wraps.
import * as tf from "@tensorflow/tfjs";

/** A Sequential compiles the LayersModel it wraps: that one holds the loss functions. */
export function compiled(model: tf.LayersModel): tf.LayersModel {
  return (model as unknown as { model?: tf.LayersModel }).model ?? model;
}
