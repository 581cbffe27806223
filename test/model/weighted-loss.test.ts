import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { buildRnnModel, weightedBinaryCrossentropy } from "../../lib/model/rnn";
import { parseModelSpec } from "../../lib/model/spec";

test("weightedBinaryCrossentropy: weight 1 is tfjs's binary cross-entropy; weight w multiplies the fall terms only", async () => {
  await initBackend();
  const yTrue = tf.tensor2d([[1], [0], [1], [0]]);
  const yPred = tf.tensor2d([[0.9], [0.2], [0.3], [0.7]]);
  const plain = tf.metrics.binaryCrossentropy(yTrue, yPred).dataSync();
  const w1 = weightedBinaryCrossentropy(1)(yTrue, yPred).dataSync();
  const w4 = weightedBinaryCrossentropy(4)(yTrue, yPred).dataSync();
  assert.equal(w1.length, 4);
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(w1[i] - plain[i]) < 1e-5, `example ${i}: ${w1[i]} vs ${plain[i]}`);
    const factor = i % 2 === 0 ? 4 : 1;
    assert.ok(Math.abs(w4[i] - factor * plain[i]) < 1e-5, `example ${i}: ${w4[i]} vs ${factor} × ${plain[i]}`);
  }
  assert.throws(() => weightedBinaryCrossentropy(0), RangeError);
  assert.throws(() => weightedBinaryCrossentropy(Number.NaN), RangeError);
});

test("positiveWeight: a spec option that makes the trained model favour the rare fall class", async () => {
  await initBackend();
  const spec = parseModelSpec({ type: "rnn", options: { kind: "gru", timesteps: 3, features: 2, units: [4], positiveWeight: 9 } });
  assert.equal(spec.type === "rnn" && spec.options.positiveWeight, 9);
  assert.throws(() => parseModelSpec({ type: "rnn", options: { kind: "gru", timesteps: 3, features: 2, positiveWeight: 0 } }), TypeError);
  // Inputs carry no signal and 10% are falls: plain BCE learns p ≈ 0.1, weight 9 learns p ≈ 0.5.
  const x = tf.zeros([40, 3, 2]);
  const y = tf.tensor2d(Array.from({ length: 40 }, (_, i) => [i % 10 === 0 ? 1 : 0]));
  const mean = async (positiveWeight?: number) => {
    const m = buildRnnModel({ kind: "gru", timesteps: 3, features: 2, units: [4], dropout: 0, learningRate: 0.05, seed: 1, ...(positiveWeight ? { positiveWeight } : {}) });
    for (let i = 0; i < 60; i++) await m.trainOnBatch(x, y);
    return (m.predict(x) as tf.Tensor).mean().dataSync()[0];
  };
  const plain = await mean();
  const weighted = await mean(9);
  assert.ok(Math.abs(plain - 0.1) < 0.05, `plain ${plain}`);
  assert.ok(Math.abs(weighted - 0.5) < 0.08, `weighted ${weighted}`);
});
