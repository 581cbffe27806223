// tfjs frees a model's optimizer in model.dispose() only when compile() was given its name; given an instance (ours:
// Adam with our learning rate) or rebuilt from a saved training config, the optimizer's variables outlive the model.
import type * as tf from "@tensorflow/tfjs";

/** Make `model.dispose()` free the optimizer it was compiled with (nothing else holds it here). Returns the model. */
export function ownOptimizer<M extends tf.LayersModel>(model: M): M {
  if (model.optimizer) (model as unknown as { isOptimizerOwned: boolean }).isOptimizerOwned = true; // protected in tfjs-layers
  return model;
}
