// Save/load in the tfjs "layers-model" file format (model.json + weights.bin) without tfjs-node:
// the file:// handler only exists in the native package, so we write the artifacts ourselves.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ownOptimizer } from "./own-optimizer";

export const MODEL_JSON = "model.json";
export const WEIGHTS_BIN = "weights.bin";

export interface WeightFiles {
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

/** Write model.json + weights.bin into dir (created if missing). Loadable by loadModelFiles and tf.loadLayersModel. */
export async function saveModelFiles(model: tf.LayersModel, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = joinWeightData(artifacts.weightData);
      const json = {
        modelTopology: artifacts.modelTopology,
        // tfjs adds the training config only with includeOptimizer (which also stores Adam's slots, per
        // worker and meaningless here); store loss/metrics/optimizer settings so a load is compiled.
        trainingConfig: artifacts.trainingConfig ?? trainingConfigOf(model),
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
      };
      await fs.writeFile(path.join(dir, MODEL_JSON), JSON.stringify(json));
      await fs.writeFile(path.join(dir, WEIGHTS_BIN), new Uint8Array(data));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

/** Read the weight manifest and bytes of a saved model; checks the manifest's shape. */
export async function readWeightFiles(dir: string): Promise<WeightFiles> {
  const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), "utf8")) as unknown;
  const manifest = (json as { weightsManifest?: unknown }).weightsManifest;
  if (!Array.isArray(manifest) || manifest.length !== 1 || !Array.isArray(manifest[0]?.weights)) {
    throw new TypeError(`${path.join(dir, MODEL_JSON)}: weightsManifest must hold one group with a weights list`);
  }
  const buf = await fs.readFile(path.join(dir, WEIGHTS_BIN));
  const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return { specs: manifest[0].weights as tf.io.WeightsManifestEntry[], data };
}

/** Load a model written by saveModelFiles (topology + weights, compiled from its training config). */
export async function loadModelFiles(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(await fs.readFile(path.join(dir, MODEL_JSON), "utf8")) as {
    modelTopology: object;
    trainingConfig?: tf.io.TrainingConfig;
  };
  const { specs, data } = await readWeightFiles(dir);
  return ownOptimizer(
    await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, trainingConfig: json.trainingConfig, weightSpecs: specs, weightData: data })),
  );
}

function trainingConfigOf(model: tf.LayersModel): tf.io.TrainingConfig | undefined {
  if (!model.optimizer) return undefined;
  return (model as unknown as { getTrainingConfig(): tf.io.TrainingConfig }).getTrainingConfig(); // protected in the typings only
}

function joinWeightData(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}
