import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { makeGradientStep } from "../../lib/model/gradient-step";
import { NATIVE_STEP_ENV } from "../../lib/model/native-plan";
import { buildRnnModel } from "../../lib/model/rnn";
import { createRng } from "../../lib/random";

/** The model's weights, flat in model.weights order, read through tfjs. */
function modelWeights(model: tf.LayersModel): Float32Array {
  return Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.dataSync())));
}

for (const nativeStep of [true, false]) {
  test(`readWeights gives the stepped weights without syncing the model (${nativeStep ? "native step" : "tfjs around the fused layers"})`, async (t) => {
    await initBackend();
    const was = process.env[NATIVE_STEP_ENV];
    if (!nativeStep) process.env[NATIVE_STEP_ENV] = "0";
    try {
      const model = buildRnnModel({ kind: "gru", timesteps: 4, features: 3, units: [5] });
      const step = makeGradientStep(model);
      if (nativeStep && step.kernel !== "fused-native-step") {
        t.skip(`no native step here: ${step.reason ?? step.kernel}`);
        return;
      }
      const before = modelWeights(model);
      const rng = createRng(7);
      const rows = 6;
      const x = Float32Array.from({ length: rows * 4 * 3 }, () => rng() * 2 - 1);
      const y = Float32Array.from({ length: rows }, (_, i) => i % 2);
      const grad = new Float32Array(step.size);
      for (let i = 0; i < 3; i++) {
        step.compute(x, y, { offset: 0, total: rows }, Array.from({ length: step.dropoutLayers }, (_, j) => 11 + i + j), grad);
        step.apply(grad);
      }
      const read = new Float32Array(step.size);
      step.readWeights(read);
      assert.ok(read.some((v, i) => v !== before[i]), "three Adam steps moved the weights");
      if (nativeStep) assert.deepEqual(modelWeights(model), before, "the native step left the model alone");
      step.sync();
      assert.deepEqual(read, modelWeights(model), "what readWeights gave is what the synced model holds, bit for bit");
      assert.throws(() => step.readWeights(new Float32Array(step.size + 1)), /readWeights/);
      model.dispose();
    } finally {
      if (was === undefined) delete process.env[NATIVE_STEP_ENV];
      else process.env[NATIVE_STEP_ENV] = was;
    }
  });
}
