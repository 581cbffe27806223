import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { FusedModel } from "../../lib/model/fused-model";
import { dropoutMask, dropoutRows } from "../../lib/model/dropout-rows";
import { NativeStep } from "../../lib/model/native-step";
import { nativePlan } from "../../lib/model/native-plan";
import { compiled, lossAndGradients } from "../../lib/model/train-step";
import { buildRnnModel, RnnModelOptions } from "../../lib/model/rnn";
import { createRng } from "../../lib/random";
import { addonStatus, nativeSkip, relArrayError as relError } from "../fixtures/native-addon";

const status = addonStatus;
const skip = nativeSkip();

function randomArray(n: number, rng: () => number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
}

function nativeStep(model: tf.LayersModel): NativeStep {
  const step = NativeStep.of(model);
  if (typeof step === "string") throw new Error(step);
  return step;
}

export const MODELS: { name: string; opts: RnnModelOptions }[] = [];
for (const kind of ["lstm", "gru"] as const) {
  MODELS.push({ name: `${kind}(6), no dropout`, opts: { kind, timesteps: 7, features: 4, units: [6], dropout: 0, seed: 5 } });
  MODELS.push({ name: `${kind}(5)+${kind}(3), dropout 0.3, positiveWeight 2.5`, opts: { kind, timesteps: 7, features: 4, units: [5, 3], dropout: 0.3, seed: 6, positiveWeight: 2.5 } });
}

for (const { name, opts } of MODELS) {
  test(`native lossAndGradients = the fused tfjs path (${name}): loss, accuracy, every gradient to 1e-4`, { skip }, async () => {
    await initBackend();
    const model = buildRnnModel(opts);
    const native = nativeStep(model);
    const fused = FusedModel.of(model) as FusedModel;
    const lossFn = compiled(model).lossFunctions[0];
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const rng = createRng(21);
    const B = 9;
    for (let batch = 0; batch < 3; batch++) {
      const x = randomArray(B * opts.timesteps * opts.features, rng, 1.5);
      const y = Float32Array.from({ length: B }, (_, i) => (i + batch) % 3 === 0 ? 1 : 0);
      const seeds = native.plan.dropouts.map(() => Math.floor(rng() * 2 ** 31));
      const xs = tf.tensor3d(x, [B, opts.timesteps, opts.features]);
      const ys = tf.tensor2d(y, [B, 1]);
      const rows = { offset: 0, total: B };
      let d = 0;
      const ref = lossAndGradients(() => fused.apply(xs, true, (layer, t) => dropoutRows(t, (layer as unknown as { rate: number }).rate, seeds[d++], rows)), lossFn, ys, vars);
      const masks = native.masks(rows, B, seeds);
      const [loss, accuracy] = native.lossAndGradients(x, y, B, masks);
      assert.ok(Math.abs(loss - ref.loss) <= 1e-4 * Math.abs(ref.loss), `batch ${batch}: loss ${loss} vs ${ref.loss}`);
      assert.equal(accuracy, ref.acc, `batch ${batch}: accuracy`);
      let offset = 0;
      for (const v of vars) {
        const mine = native.grads.subarray(offset, offset + v.size);
        const theirs = ref.grads[v.name].dataSync();
        assert.ok(relError(mine, theirs) <= 1e-4, `batch ${batch}: d loss / d ${v.name} off by ${relError(mine, theirs)} relative`);
        assert.ok(theirs.some((g) => Math.abs(g) > 1e-6), `${v.name}: a zero gradient would prove nothing`);
        offset += v.size;
      }
      tf.dispose([xs, ys, ...Object.values(ref.grads)]);
    }
    model.dispose();
  });
}

test("native lossAndGradients of a micro-batch (rows 3..7 of 9) = the tfjs path with dropoutRows cut alike", { skip }, async () => {
  await initBackend();
  const opts = MODELS[3].opts;
  const model = buildRnnModel(opts);
  const native = nativeStep(model);
  const fused = FusedModel.of(model) as FusedModel;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = createRng(4);
  const n = 4;
  const x = randomArray(n * opts.timesteps * opts.features, rng, 1);
  const y = Float32Array.from([1, 0, 0, 1]);
  const seeds = [11, 12];
  const rows = { offset: 3, total: 9 };
  const xs = tf.tensor3d(x, [n, opts.timesteps, opts.features]);
  const ys = tf.tensor2d(y, [n, 1]);
  let d = 0;
  const ref = lossAndGradients(() => fused.apply(xs, true, (layer, t) => dropoutRows(t, (layer as unknown as { rate: number }).rate, seeds[d++], rows)), compiled(model).lossFunctions[0], ys, vars);
  const flat = new Float32Array(native.plan.size);
  const [loss] = native.lossAndGradients(x, y, n, native.masks(rows, n, seeds), flat);
  assert.ok(Math.abs(loss - ref.loss) <= 1e-4 * Math.abs(ref.loss), `loss ${loss} vs ${ref.loss}`);
  let offset = 0;
  for (const v of vars) {
    const e = relError(flat.subarray(offset, offset + v.size), ref.grads[v.name].dataSync());
    assert.ok(e <= 1e-4, `d loss / d ${v.name} off by ${e} relative`);
    offset += v.size;
  }
  tf.dispose([xs, ys, ...Object.values(ref.grads)]);
  model.dispose();
});

test("the native plan names what it cannot run: a non-Adam optimizer, another loss", { skip }, async () => {
  await initBackend();
  const sgd = buildRnnModel({ kind: "gru", timesteps: 3, features: 2 });
  sgd.compile({ optimizer: tf.train.sgd(0.1), loss: "binaryCrossentropy" });
  assert.match(String(nativePlan(sgd)), /only the Adam optimizer/);
  const mse = buildRnnModel({ kind: "gru", timesteps: 3, features: 2 });
  mse.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
  assert.match(String(nativePlan(mse)), /only binary cross-entropy/);
});

test("the native call refuses a wrong layout or a short buffer with a one-line TypeError", { skip }, async () => {
  await initBackend();
  const model = buildRnnModel({ kind: "lstm", timesteps: 3, features: 2, units: [4], dropout: 0 });
  const native = NativeStep.of(model) as NativeStep;
  assert.throws(() => native.lossAndGradients(new Float32Array(5), new Float32Array(2), 2, []), { name: "TypeError", message: /right length/ });
  assert.throws(() => native.lossAndGradients(new Float32Array(12), new Float32Array(2), 2, [new Float32Array(8)]), { name: "TypeError", message: /one Float32Array per Dropout layer/ });
  model.dispose();
});

test("masks: a micro-batch's masks are its slice of the whole global batch's, drawn once a seed", { skip }, async () => {
  await initBackend();
  const model = buildRnnModel(MODELS[3].opts);
  const native = nativeStep(model);
  assert.ok(native.plan.dropouts.length > 0, "the model has Dropout layers");
  const perRow = native.plan.dropouts.map((d) => d.rowShape.reduce((a, b) => a * b, 1));
  for (const seeds of [[11, 12], [11, 13], [11, 13]]) {
    for (const [offset, n] of [[3, 4], [0, 3], [7, 2]]) {
      const got = native.masks({ offset, total: 9 }, n, seeds).map((m) => Float32Array.from(m));
      native.plan.dropouts.forEach((d, i) => {
        const alone = dropoutMask(d.rate, seeds[i], [n, ...d.rowShape], { offset, total: 9 });
        assert.equal(got[i].length, n * perRow[i]);
        assert.deepEqual(got[i], alone, `seeds ${seeds}, rows ${offset}..${offset + n}, layer ${i}`);
      });
    }
  }
  // Unseeded layers draw afresh, as tf.dropout does: two calls differ.
  const a = native.masks({ offset: 0, total: 9 }, 9, [undefined, undefined]).map((m) => Float32Array.from(m));
  const b = native.masks({ offset: 0, total: 9 }, 9, [undefined, undefined]);
  assert.notDeepEqual(a[0], Float32Array.from(b[0]));
  assert.throws(() => native.masks({ offset: 8, total: 9 }, 2, [1, 2]), /outside a batch of 9/);
});

test("loadWeights: the next step runs at the loaded weights even when the model was written before the load", { skip }, async () => {
  await initBackend();
  const opts = MODELS[3].opts;
  const model = buildRnnModel(opts);
  const native = nativeStep(model);
  const rng = createRng(9);
  const n = 3;
  const x = randomArray(n * opts.timesteps * opts.features, rng, 1);
  const y = Float32Array.from([1, 0, 1]);
  const masks = () => native.masks({ offset: 0, total: n }, n, [1, 2]);
  const start = native.weights.slice();
  const atStart = new Float32Array(native.plan.size);
  native.lossAndGradients(x, y, n, masks(), atStart);
  // As a worker's validation does: the model gets other weights, then the step loads the shared ones.
  model.setWeights(model.getWeights().map((w) => tf.mul(w, 0.5)));
  native.loadWeights(start);
  const again = new Float32Array(native.plan.size);
  native.lossAndGradients(x, y, n, masks(), again);
  assert.deepEqual(again, atStart, "the loaded weights, not the model's");
  // A write to the model after the load is still noticed.
  model.setWeights(model.getWeights().map((w) => tf.mul(w, 0.5)));
  native.lossAndGradients(x, y, n, masks(), again);
  assert.notDeepEqual(again, atStart);
  assert.throws(() => native.loadWeights(new Float32Array(3)), /loadWeights: 3 floats/);
  model.dispose();
});
