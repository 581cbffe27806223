// A single-step, stateful twin of a trained window model: same layers and weights, input
// [1, 1, F], and recurrent layers that carry their state from one call to the next.
import * as tf from "@tensorflow/tfjs";
import { withoutOrthogonalWarning } from "../model/quiet";

const RECURRENT = new Set(["LSTM", "GRU", "SimpleRNN"]);

interface LayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

/** [T, F] of a window model's input (T null when the model takes any length). */
export function windowInputShape(model: tf.LayersModel): { T: number | null; F: number } {
  const shape = model.inputs[0]?.shape;
  if (!shape || shape.length !== 3 || typeof shape[2] !== "number") {
    throw new Error(`expected a model over [batch, T, F] windows; its input shape is [${shape?.join(", ")}]`);
  }
  return { T: shape[1], F: shape[2] };
}

/** Rewrite the Keras topology: batch input [1, 1, F], every recurrent layer stateful. */
function statefulTopology(model: tf.LayersModel, F: number): object {
  const topo = model.toJSON(null, false) as unknown as { class_name: string; config: { layers?: LayerJson[] } };
  const layers = topo.config.layers;
  if (!Array.isArray(layers)) throw new Error(`cannot read the layers of a ${topo.class_name} model`);
  let recurrent = 0;
  for (const l of layers) {
    if ("batch_input_shape" in l.config) l.config.batch_input_shape = [1, 1, F];
    if (RECURRENT.has(l.class_name)) {
      l.config.stateful = true;
      recurrent++;
    }
  }
  if (recurrent === 0) throw new Error(`the model has no LSTM/GRU layer (layers: ${layers.map((l) => l.class_name).join(", ")})`);
  return topo;
}

/** Build the stateful copy and copy the trained weights in (the weight list is identical). */
export async function statefulCopy(model: tf.LayersModel): Promise<tf.LayersModel> {
  const { F } = windowInputShape(model);
  const topology = statefulTopology(model, F);
  const copy = await withoutOrthogonalWarning(() => tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON));
  copy.setWeights(model.getWeights());
  return copy;
}

/** The recurrent layers of a model (their `states` are what a stream carries between frames). */
export function recurrentLayers(model: tf.LayersModel): tf.RNN[] {
  return model.layers.filter((l) => RECURRENT.has(l.getClassName())) as tf.RNN[];
}
