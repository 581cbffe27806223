import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { makeTrainStep, runOnArrays, TrainStep } from "../../lib/model/train-step";
import { buildRnnModel, reseedDropout, RnnModelOptions, seedStream } from "../../lib/model/rnn";
import { createRng } from "../../lib/random";
import { assertSameState, nativeSkip, relError } from "../fixtures/native-addon";

const skip = nativeSkip();

const CASES: { name: string; opts: RnnModelOptions }[] = [];
for (const kind of ["lstm", "gru"] as const) {
  CASES.push({ name: `${kind}(8), no dropout`, opts: { kind, timesteps: 6, features: 4, units: [8], dropout: 0, seed: 3 } });
  CASES.push({ name: `${kind}(6)+${kind}(4), dropout 0.3, positiveWeight 3`, opts: { kind, timesteps: 6, features: 4, units: [6, 4], dropout: 0.3, seed: 4, positiveWeight: 3, learningRate: 3e-3 } });
}

for (const { name, opts } of CASES) {
  test(`native training step tracks trainOnBatch over 25 steps (${name}): losses, weights and Adam moments to 1e-4`, { skip }, async () => {
    await initBackend();
    const stock = buildRnnModel(opts);
    const mine = buildRnnModel(opts);
    const step = makeTrainStep(mine, { lazyWeights: true });
    assert.equal(step.kernel, "fused-native-step", step.reason);
    const rng = createRng(8);
    const seedsA = seedStream(99);
    const seedsB = seedStream(99);
    const B = 16;
    for (let i = 0; i < 25; i++) {
      const xs = tf.tensor3d(Float32Array.from({ length: B * 6 * 4 }, () => rng() * 2 - 1), [B, 6, 4]);
      const ys = tf.tensor2d(Float32Array.from({ length: B }, (_, j) => ((j * 7 + i) % 5 < 2 ? 1 : 0)), [B, 1]);
      reseedDropout(stock, seedsA);
      reseedDropout(mine, seedsB);
      const [l1, a1] = (await stock.trainOnBatch(xs, ys)) as number[];
      const [l2, a2] = await step.run(xs, ys);
      assert.ok(Math.abs(l1 - l2) <= 1e-4 * Math.abs(l1), `step ${i}: loss ${l2} vs trainOnBatch ${l1}`);
      assert.equal(a2, a1, `step ${i}: accuracy`);
      if (i % 6 === 5 || i === 24) {
        step.sync();
        assertSameState(stock, mine, `step ${i}`);
      }
      tf.dispose([xs, ys]);
    }
    stock.dispose();
    mine.dispose();
  });
}

test("the default native step writes its weights into the model after every batch, and reads a setWeights back", { skip }, async () => {
  await initBackend();
  const opts: RnnModelOptions = { kind: "gru", timesteps: 5, features: 3, units: [4], dropout: 0, seed: 2 };
  const stock = buildRnnModel(opts);
  const mine = buildRnnModel(opts);
  const step = makeTrainStep(mine);
  const xs = tf.tensor3d(Float32Array.from({ length: 8 * 15 }, (_, i) => Math.sin(i)), [8, 5, 3]);
  const ys = tf.tensor2d([1, 0, 0, 1, 1, 0, 1, 0], [8, 1]);
  for (let i = 0; i < 3; i++) {
    await stock.trainOnBatch(xs, ys);
    await step.run(xs, ys);
    stock.getWeights().forEach((w, k) => assert.ok(relError(mine.getWeights()[k], w) <= 1e-4, `step ${i}: weight ${k}`));
  }
  // A write from outside (as the synchronous workers do with averaged weights) is the next step's start.
  const shifted = stock.getWeights().map((w) => tf.add(w, 0.01));
  stock.setWeights(shifted);
  mine.setWeights(shifted);
  await stock.trainOnBatch(xs, ys);
  await step.run(xs, ys);
  stock.getWeights().forEach((w, k) => assert.ok(relError(mine.getWeights()[k], w) <= 1e-4, `after setWeights: weight ${k}`));
  tf.dispose([xs, ys, ...shifted]);
  stock.dispose();
  mine.dispose();
});

test("a native training step leaks no tensors over 50 steps (with dropout, weights written each batch)", { skip }, async () => {
  await initBackend();
  const model = buildRnnModel({ kind: "lstm", timesteps: 5, features: 3, units: [4], dropout: 0.3 });
  const step = makeTrainStep(model);
  assert.equal(step.kernel, "fused-native-step", step.reason);
  const xs = tf.ones([6, 5, 3]);
  const ys = tf.ones([6, 1]);
  const seeds = seedStream(1);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 50; i++) {
    reseedDropout(model, seeds);
    await step.run(xs, ys);
  }
  assert.equal(tf.memory().numTensors, before);
  step.sync(); // creates Adam's slots once; a second sync reuses them
  const synced = tf.memory().numTensors;
  step.sync();
  assert.equal(tf.memory().numTensors, synced);
  tf.dispose([xs, ys]);
  model.dispose();
});

test("runArrays is run without tensors: the same losses and weights, bit for bit, over 10 steps with dropout", { skip }, async () => {
  await initBackend();
  const opts: RnnModelOptions = { kind: "gru", timesteps: 6, features: 4, units: [6], dropout: 0.3, seed: 5 };
  const byTensors = buildRnnModel(opts);
  const byArrays = buildRnnModel(opts);
  const a = makeTrainStep(byTensors, { lazyWeights: true });
  const b = makeTrainStep(byArrays, { lazyWeights: true });
  assert.ok(b.runArrays, "the native step takes plain arrays");
  const rng = createRng(11);
  const seedsA = seedStream(7);
  const seedsB = seedStream(7);
  const B = 8;
  for (let i = 0; i < 10; i++) {
    const x = Float32Array.from({ length: B * 6 * 4 }, () => rng() * 2 - 1);
    const y = Float32Array.from({ length: B }, (_, j) => ((j + i) % 3 === 0 ? 1 : 0));
    reseedDropout(byTensors, seedsA);
    reseedDropout(byArrays, seedsB);
    const xs = tf.tensor3d(x, [B, 6, 4]);
    const ys = tf.tensor2d(y, [B, 1]);
    const viaTensors = await a.run(xs, ys);
    tf.dispose([xs, ys]);
    assert.deepEqual(b.runArrays!(x, y, B), viaTensors, `step ${i}: loss and accuracy`);
  }
  assert.deepEqual(b.weights, a.weights);
});

test("runOnArrays: a step without runArrays gets tensors of the batch's shape, disposed after, even when the step throws; a native step answers synchronously", async () => {
  await initBackend();
  const seen: { shape: number[]; x: number[]; y: number[] }[] = [];
  const step = {
    run: async (xs: tf.Tensor, ys: tf.Tensor): Promise<[number, number]> => {
      seen.push({ shape: xs.shape, x: Array.from(xs.dataSync()), y: Array.from(ys.dataSync()) });
      if (seen.length === 2) throw new Error("step failed");
      return [0.5, 1];
    },
  } as unknown as TrainStep;
  const before = tf.memory().numTensors;
  const x = Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
  const y = Float32Array.from([1, 0, 1, 1]); // a reused buffer longer than the batch
  assert.deepEqual(await runOnArrays(step, x, y, 2, [2, 3, 2]), [0.5, 1]);
  assert.deepEqual(seen[0], { shape: [2, 3, 2], x: Array.from(x), y: [1, 0] });
  await assert.rejects(async () => runOnArrays(step, x, y, 2, [2, 3, 2]), /step failed/);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  const native = { runArrays: (_x: Float32Array, _y: Float32Array, b: number): [number, number] => [b, 0] } as unknown as TrainStep;
  const ran = runOnArrays(native, x, y, 2, [2, 3, 2]);
  assert.ok(!(ran instanceof Promise), "a native step answers at once, not through a promise a batch");
  assert.deepEqual(ran, [2, 0], "a native step takes the arrays themselves");
});
