import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { makeTrainStep } from "../../lib/model/train-step";
import { NativeStep } from "../../lib/model/native-step";
import { nativePlan } from "../../lib/model/native-plan";
import { buildOriginalModel, OriginalModelOptions } from "../../lib/model/original";
import { reseedDropout, seedStream } from "../../lib/model/rnn";
import { createRng } from "../../lib/random";
import { assertSameState, nativeSkip, relError } from "../fixtures/native-addon";

const skip = nativeSkip();

const VOCAB = 24;
const T = 6;
const CASES: { name: string; opts: OriginalModelOptions }[] = [];
for (const kind of ["lstm", "gru"] as const) {
  for (const dropout of [0, 0.5]) {
    CASES.push({ name: `Embedding(${VOCAB}, 5) + 2 × ${kind}(16), dropout ${dropout}`, opts: { kind, vocabSize: VOCAB, embeddingDim: 5, units: 16, layers: 2, timesteps: T, dropout, seed: 7, learningRate: 3e-3 } });
  }
}

/** Ids of step i drawn from a window of the vocabulary that moves, so rows go untouched for a while (their moments still decay). */
function idBatch(rng: () => number, B: number, i: number): tf.Tensor {
  const from = (i * 5) % (VOCAB - 10);
  return tf.tensor2d(Float32Array.from({ length: B * T }, () => from + Math.floor(rng() * 10)), [B, T]);
}

for (const { name, opts } of CASES) {
  test(`native step with an Embedding front tracks trainOnBatch over 25 steps (${name}): losses, weights and Adam moments to 1e-4`, { skip }, async () => {
    await initBackend();
    const stock = buildOriginalModel(opts);
    const mine = buildOriginalModel(opts);
    const step = makeTrainStep(mine, { lazyWeights: true });
    assert.equal(step.kernel, "fused-native-step", step.reason);
    const rng = createRng(8);
    const seedsA = seedStream(99);
    const seedsB = seedStream(99);
    const B = 16;
    let lossMoved = false;
    let firstLoss = NaN;
    for (let i = 0; i < 25; i++) {
      const xs = idBatch(rng, B, i);
      const ys = tf.tensor2d(Float32Array.from({ length: B }, (_, j) => ((j * 7 + i) % 5 < 2 ? 1 : 0)), [B, 1]);
      reseedDropout(stock, seedsA);
      reseedDropout(mine, seedsB);
      const [l1, a1] = (await stock.trainOnBatch(xs, ys)) as number[];
      const [l2, a2] = await step.run(xs, ys);
      assert.ok(Math.abs(l1 - l2) <= 1e-4 * Math.abs(l1), `step ${i}: loss ${l2} vs trainOnBatch ${l1}`);
      assert.equal(a2, a1, `step ${i}: accuracy`);
      if (i === 0) firstLoss = l1;
      else if (Math.abs(l1 - firstLoss) > 1e-3) lossMoved = true;
      if (i % 6 === 5 || i === 24) {
        step.sync();
        assertSameState(stock, mine, `step ${i}`);
      }
      tf.dispose([xs, ys]);
    }
    assert.ok(lossMoved, "the loss never moved: equal losses would prove nothing");
    stock.dispose();
    mine.dispose();
  });
}

test("the native step takes int32 ids as tfjs does (cast to float), and trains like trainOnBatch", { skip }, async () => {
  await initBackend();
  const opts = CASES[0].opts;
  const stock = buildOriginalModel(opts);
  const mine = buildOriginalModel(opts);
  const step = makeTrainStep(mine);
  assert.equal(step.kernel, "fused-native-step", step.reason);
  const xs = tf.tensor2d(Int32Array.from({ length: 4 * T }, (_, i) => (i * 5) % VOCAB), [4, T], "int32");
  const ys = tf.tensor2d([1, 0, 1, 0], [4, 1]);
  for (let i = 0; i < 3; i++) {
    const [l1] = (await stock.trainOnBatch(xs, ys)) as number[];
    const [l2] = await step.run(xs, ys);
    assert.ok(Math.abs(l1 - l2) <= 1e-4 * Math.abs(l1), `step ${i}: loss ${l2} vs trainOnBatch ${l1}`);
  }
  stock.getWeights().forEach((w, k) => assert.ok(relError(mine.getWeights()[k], w) <= 1e-4, `weight ${k}`));
  tf.dispose([xs, ys]);
  stock.dispose();
  mine.dispose();
});

test("an id outside the vocabulary (or not an integer) is refused with a one-line RangeError naming it, and nothing moves", { skip }, async () => {
  await initBackend();
  const model = buildOriginalModel(CASES[1].opts);
  const native = NativeStep.of(model);
  assert.ok(typeof native !== "string", String(native));
  const before = native.weights.slice();
  const y = Float32Array.from([1, 0]);
  const masks = native.masks({ offset: 0, total: 2 }, 2, [1, 2]);
  for (const [bad, where] of [[VOCAB, "row 1, step 3"], [-1, "row 1, step 3"], [2.5, "row 1, step 3"], [NaN, "row 1, step 3"]] as const) {
    const x = new Float32Array(2 * T).fill(1);
    x[T + 3] = bad;
    assert.throws(() => native.lossAndGradients(x, y, 2, masks), (e: Error) => {
      assert.equal(e.name, "RangeError");
      assert.ok(!e.message.includes("\n"), e.message);
      assert.match(e.message, new RegExp(`id ${String(bad)} \\(${where}\\) is not an integer in \\[0, ${VOCAB}\\)`));
      return true;
    });
  }
  assert.deepEqual(native.weights, before);
  model.dispose();
});

test("the native plan takes the original preset (Embedding(168, 50) + 3 × LSTM(256)) and names an Embedding it cannot run", { skip }, async () => {
  await initBackend();
  const preset = buildOriginalModel({ kind: "lstm", units: 8 });
  const plan = nativePlan(preset);
  assert.ok(typeof plan !== "string", String(plan));
  assert.equal(plan.features, 1);
  assert.equal(plan.size, preset.countParams());
  preset.dispose();
  const masked = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 5, outputDim: 3, inputLength: 4, maskZero: true }), tf.layers.lstm({ units: 2 }), tf.layers.dense({ units: 1, activation: "sigmoid" })] });
  masked.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy" });
  assert.match(String(nativePlan(masked)), /Embedding with maskZero/);
  masked.dispose();
});
