import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { fusableLayer, FusedLayerShape, fusedRnn, FusedScratch, nativeLoadDecision } from "../../lib/model/fused-rnn";
import { makeTrainStep } from "../../lib/model/train-step";
import { FusedModel, makePredictor } from "../../lib/model/fused-model";
import { NATIVE_ADDON } from "../../lib/native/paths";
import { buildRnnModel, reseedDropout, seedStream } from "../../lib/model/rnn";
import { createRng } from "../../lib/random";
import { NATIVE_STEP_ENV } from "../../lib/model/native-plan";
import { addonStatus, nativeSkip } from "../fixtures/native-addon";

function withEnv<T>(key: string, value: string, fn: () => T): T {
  const was = process.env[key];
  process.env[key] = value;
  try {
    return fn();
  } finally {
    if (was === undefined) delete process.env[key];
    else process.env[key] = was;
  }
}

// The kernel must be there wherever it can be built: a missing compiler is the only excuse.
const status = addonStatus;
const skip = nativeSkip();

test("the fused kernel was built (npm run build) where a C++ compiler exists", { skip }, () => {
  assert.ok(status.available, status.available ? "" : status.reason);
});

function randomTensor(shape: number[], rng: () => number, scale: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => (rng() * 2 - 1) * scale), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

const CASES: { kind: "lstm" | "gru"; activation: string; recurrentActivation: string; returnSequences: boolean }[] = [];
for (const kind of ["lstm", "gru"] as const) {
  for (const [activation, recurrentActivation] of [["tanh", "hardSigmoid"], ["relu", "hardSigmoid"], ["tanh", "sigmoid"]]) {
    for (const returnSequences of [false, true]) CASES.push({ kind, activation, recurrentActivation, returnSequences });
  }
}

for (const c of CASES) {
  test(`fused ${c.kind} (${c.activation}/${c.recurrentActivation}, returnSequences ${c.returnSequences}) = tfjs-layers: output and every gradient`, { skip }, async () => {
    await initBackend();
    const [B, T, F, U] = [5, 7, 3, 4];
    const rng = createRng(11);
    const layer = (c.kind === "lstm" ? tf.layers.lstm : tf.layers.gru)({
      units: U, returnSequences: c.returnSequences, activation: c.activation as "tanh", recurrentActivation: c.recurrentActivation as "tanh",
    });
    const x = randomTensor([B, T, F], rng, 1.5) as tf.Tensor3D;
    layer.apply(x); // builds the layer
    // Weights large enough that some hard-sigmoid inputs leave [-2.5, 2.5] (the clipped branch).
    layer.setWeights(layer.getWeights().map((w) => randomTensor(w.shape, rng, 1.2)));
    const shape = fusableLayer(layer) as FusedLayerShape;
    assert.equal(typeof shape, "object");
    const outShape = c.returnSequences ? [B, T, U] : [B, U];
    const probe = randomTensor(outShape, rng, 1);
    const [k, r, b] = layer.trainableWeights.map((w) => w.read());

    const stockOut = layer.apply(x) as tf.Tensor;
    const fusedOut = fusedRnn(shape, x, k, r, b);
    assert.ok(maxAbsDiff(stockOut, fusedOut) < 1e-5, `forward differs by ${maxAbsDiff(stockOut, fusedOut)}`);

    const lossOf = (fn: (x: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, k: tf.Tensor, r: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(fn(x, k, r, b), probe));
    const fusedGrads = tf.grads(lossOf((xx, kk, rr, bb) => fusedRnn(shape, xx as tf.Tensor3D, kk, rr, bb)))([x, k, r, b]);
    const stockX = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer.apply(xx) as tf.Tensor, probe)))(x);
    const stockW = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, probe)) as tf.Scalar, layer.trainableWeights.map((w) => w.read() as tf.Variable));
    const stock = [stockX, ...layer.trainableWeights.map((w) => stockW.grads[(w.read() as tf.Variable).name])];
    ["x", "kernel", "recurrentKernel", "bias"].forEach((name, i) => {
      const d = maxAbsDiff(stock[i], fusedGrads[i]);
      assert.ok(d < 2e-4, `d loss / d ${name} differs by ${d}`);
    });
    // Without the input's gradient (a first layer): the same weight gradients.
    const noInput = tf.grads((kk: tf.Tensor, rr: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fusedRnn(shape, x, kk, rr, bb, { inputGrad: false }), probe)))([k, r, b]);
    noInput.forEach((g, i) => assert.ok(maxAbsDiff(g, fusedGrads[i + 1]) < 1e-6, `weight gradient ${i} without inputGrad`));
    // Not all-zero: a broken backward that returned zeros everywhere must fail above.
    assert.ok(tf.max(tf.abs(fusedGrads[2])).dataSync()[0] > 1e-3);
  });
}

test("fusableLayer names what it cannot fuse", () => {
  const drop = tf.layers.lstm({ units: 3, recurrentDropout: 0.2 });
  drop.apply(tf.ones([2, 4, 3]));
  assert.match(fusableLayer(drop) as string, /recurrent dropout/);
  const back = tf.layers.gru({ units: 3, goBackwards: true });
  back.apply(tf.ones([2, 4, 3]));
  assert.match(fusableLayer(back) as string, /goBackwards/);
  assert.match(fusableLayer(tf.layers.dense({ units: 1 })) as string, /not a recurrent layer/);
});

for (const kind of ["lstm", "gru"] as const) {
  test(`${kind}: fused training steps (with dropout) track model.trainOnBatch: same losses and weights`, { skip }, async () => {
    await initBackend();
    const opts = { kind, timesteps: 6, features: 4, units: [5, 3], dropout: 0.3, seed: 9 };
    const stock = buildRnnModel(opts);
    const fused = buildRnnModel(opts);
    // The tfjs step around the fused layers (the whole-step native path has its own tests).
    const step = withEnv(NATIVE_STEP_ENV, "0", () => makeTrainStep(fused));
    assert.equal(step.kernel, "fused-native", step.reason);
    const rng = createRng(3);
    const seedsA = seedStream(77);
    const seedsB = seedStream(77);
    for (let i = 0; i < 4; i++) {
      const xs = randomTensor([8, 6, 4], rng, 1);
      const ys = tf.tensor2d(Float32Array.from({ length: 8 }, (_, j) => (j + i) % 2), [8, 1]);
      reseedDropout(stock, seedsA);
      reseedDropout(fused, seedsB);
      const [l1, a1] = (await stock.trainOnBatch(xs, ys)) as number[];
      const [l2, a2] = await step.run(xs, ys);
      assert.ok(Math.abs(l1 - l2) < 1e-4, `step ${i}: loss ${l1} vs ${l2}`);
      assert.equal(a1, a2);
      tf.dispose([xs, ys]);
    }
    stock.getWeights().forEach((w, i) => assert.ok(maxAbsDiff(w, fused.getWeights()[i]) < 1e-4, `weight ${i}`));
  });
}

test("a fused training step leaks no tensors", { skip }, async () => {
  await initBackend();
  const model = buildRnnModel({ kind: "lstm", timesteps: 5, features: 3, units: [4] });
  const step = withEnv(NATIVE_STEP_ENV, "0", () => makeTrainStep(model));
  assert.equal(step.kernel, "fused-native", step.reason);
  const xs = tf.ones([6, 5, 3]);
  const ys = tf.ones([6, 1]);
  await step.run(xs, ys); // Adam creates its slots on the first step
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await step.run(xs, ys);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([xs, ys]);
});

test("a model without a recurrent layer trains through trainOnBatch, with the reason", async () => {
  await initBackend();
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3], activation: "sigmoid" })] });
  model.compile({ optimizer: "adam", loss: "binaryCrossentropy", metrics: ["accuracy"] });
  const step = makeTrainStep(model);
  assert.equal(step.kernel, "tfjs-layers");
  assert.match(step.reason ?? "", status.available ? /no recurrent layer/ : /./);
  const [loss] = await step.run(tf.ones([2, 3]), tf.ones([2, 1]));
  assert.ok(Number.isFinite(loss));
});

test("the native kernel refuses a short buffer, an unknown kind or a zero size with a one-line TypeError", { skip }, () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const native = require(NATIVE_ADDON) as { forward: (...a: unknown[]) => void };
  const [B, T, F, U] = [2, 3, 4, 5];
  const f = (n: number) => new Float32Array(n);
  const args = (kind: number, b: number, h: Float32Array) => [kind, 0, 3, b, T, F, U, f(B * T * F), f(F * 4 * U), f(U * 4 * U), f(4 * U), h, f(B * T * U), f(B * T * 4 * U), f(B * T * 4 * U)];
  assert.doesNotThrow(() => native.forward(...args(0, B, f(B * T * U))));
  assert.throws(() => native.forward(...args(0, B, f(B * T * U - 1))), { name: "TypeError", message: /fusedRnn.forward: every buffer must be a Float32Array of the right length/ });
  assert.throws(() => native.forward(...args(7, B, f(B * T * U))), { name: "TypeError", message: /kind must be 0 \(LSTM\) or 1 \(GRU\)/ });
  assert.throws(() => native.forward(...args(0, 0, f(B * T * U))), { name: "TypeError", message: /must be positive/ });
  assert.throws(() => native.forward(1, 2), { name: "TypeError", message: /expected 15 arguments/ });
});

test("the loader refuses an addon built for another CPU, or without a build note, and says why", () => {
  const note = { built: true, reason: "built", cpu: "CPU A [avx2 fma]" };
  assert.deepEqual(nativeLoadDecision({ forceTfjs: false, addonExists: true, note, cpu: "CPU A [avx2 fma]" }), { load: true });
  const other = nativeLoadDecision({ forceTfjs: false, addonExists: true, note, cpu: "CPU B [avx2]" });
  assert.equal(other.load, false);
  assert.match((other as { reason: string }).reason, /compiled for another CPU \(CPU A \[avx2 fma\]\); run npm run build here/);
  assert.match((nativeLoadDecision({ forceTfjs: false, addonExists: true, note: null, cpu: "x" }) as { reason: string }).reason, /does not say which CPU/);
  assert.deepEqual(nativeLoadDecision({ forceTfjs: false, addonExists: false, note: { built: false, reason: "g++ could not run (ENOENT)" }, cpu: "x" }), { load: false, reason: "g++ could not run (ENOENT)" });
  assert.deepEqual(nativeLoadDecision({ forceTfjs: true, addonExists: true, note, cpu: "CPU A [avx2 fma]" }), { load: false, reason: "FALL_RNN_KERNEL=tfjs" });
});

for (const kind of ["lstm", "gru"] as const) {
  test(`${kind}: the fused predictor gives model.predict's output (dropout off), the fused apply(xs, false)'s bit for bit, and leaks nothing`, { skip }, async () => {
    await initBackend();
    const model = buildRnnModel({ kind, timesteps: 6, features: 4, units: [5, 3], dropout: 0.3, seed: 4 });
    const predictor = makePredictor(model);
    assert.equal(predictor.kernel, "fused-native", predictor.reason);
    const xs = randomTensor([9, 6, 4], createRng(8), 1.5);
    const want = model.predict(xs) as tf.Tensor;
    const got = predictor.predict(xs);
    assert.ok(maxAbsDiff(want, got) < 1e-5, `differs by ${maxAbsDiff(want, got)}`);
    assert.deepEqual(predictor.predict(xs).dataSync(), got.dataSync(), "deterministic: dropout is off");
    const fused = FusedModel.of(model) as FusedModel;
    const applied = tf.tidy(() => fused.apply(xs, false));
    assert.deepEqual(got.dataSync(), applied.dataSync(), "bit for bit the differentiable pass with Dropout off (no customGrad, Dropout skipped)");
    applied.dispose();
    const before = tf.memory().numTensors;
    tf.dispose(predictor.predict(xs));
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([xs, want, got]);
  });
}

test("a backward pass whose caches a later forward pass overwrote fails loudly instead of returning wrong gradients", { skip }, async () => {
  await initBackend();
  const layer = tf.layers.gru({ units: 3 });
  const x = tf.ones([2, 4, 2]) as tf.Tensor3D;
  layer.apply(x);
  const shape = fusableLayer(layer) as FusedLayerShape;
  const [k, r, b] = layer.trainableWeights.map((w) => w.read());
  const scratch = new FusedScratch();
  assert.throws(
    () => tf.grads((kk: tf.Tensor) => tf.add(tf.sum(fusedRnn(shape, x, kk, r, b, { scratch })), tf.sum(fusedRnn(shape, x, kk, r, b, { scratch }))))([k]),
    /reused this layer's caches before its backward pass/,
  );
  // With a scratch each, the same sum differentiates fine.
  const g = tf.grads((kk: tf.Tensor) => tf.add(tf.sum(fusedRnn(shape, x, kk, r, b, { scratch: new FusedScratch() })), tf.sum(fusedRnn(shape, x, kk, r, b, { scratch: new FusedScratch() }))))([k]);
  assert.ok(Number.isFinite(g[0].dataSync()[0]));
});
