import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { buildRnnModel, reseedDropout, RNN_DEFAULTS } from "../../lib/model/rnn";
import { buildOriginalModel } from "../../lib/model/original";
import { modelSummary } from "../../lib/model/summary";

before(async () => {
  await initBackend();
});

const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

test("defaults: 1 × GRU(32) + dropout 0.3 on [32, 16] windows, compiled with Adam and binary cross-entropy", () => {
  const model = buildRnnModel({ kind: "gru", timesteps: 32, features: 16 });
  assert.deepEqual(RNN_DEFAULTS.units, [32]);
  assert.deepEqual(model.inputs[0].shape, [null, 32, 16]);
  assert.deepEqual(model.outputs[0].shape, [null, 1]);
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ["GRU", "Dropout", "Dense"]);
  // tfjs GRU: one bias (Keras reset_after=False layout): 3 × (U(F+U) + U), plus Dense U + 1
  assert.equal(model.countParams(), 3 * (32 * (16 + 32) + 32) + 33);
  assert.equal(model.loss, "binaryCrossentropy");
  assert.ok(model.optimizer instanceof tf.AdamOptimizer);
  assert.equal(model.layers[2].getConfig().activation, "sigmoid");
});

test("LSTM stack: one entry per layer, all but the last return sequences; dropout 0 adds no Dropout layer", () => {
  const model = buildRnnModel({ kind: "lstm", timesteps: 10, features: 4, units: [12, 6], dropout: 0 });
  assert.deepEqual(model.layers.map((l) => l.getClassName()), ["LSTM", "LSTM", "Dense"]);
  assert.equal(model.layers[0].getConfig().returnSequences, true);
  assert.equal(model.layers[1].getConfig().returnSequences, false);
  assert.equal(model.countParams(), 4 * (12 * (4 + 12) + 12) + 4 * (6 * (12 + 6) + 6) + 7);
});

test("seeded: same seed gives the same initial weights, another seed different ones", () => {
  const opts = { kind: "lstm", timesteps: 6, features: 3, units: [5] } as const;
  assert.deepEqual(values(buildRnnModel({ ...opts, seed: 1 })), values(buildRnnModel({ ...opts, seed: 1 })));
  assert.notDeepEqual(values(buildRnnModel({ ...opts, seed: 1 })), values(buildRnnModel({ ...opts, seed: 2 })));
});

test("unknown kind is rejected with the tfjs-examples message", () => {
  assert.throws(() => buildRnnModel({ kind: "rnn" as never, timesteps: 4, features: 2 }), /^Error: Unsupported model type: rnn$/);
  assert.throws(() => buildOriginalModel({ kind: "cnn" as never }), /Unsupported model type: cnn/);
});

test("the orthogonal-initialiser warning is silenced during build, other warnings pass, console.warn is restored", () => {
  const original = console.warn;
  const seen: string[] = [];
  console.warn = (...args: unknown[]) => void seen.push(String(args[0]));
  try {
    buildRnnModel({ kind: "gru", timesteps: 32, features: 16, units: [64] }); // 64 × 192 > 2000 elements
    assert.deepEqual(seen, []);
    console.warn("other");
    assert.deepEqual(seen, ["other"]);
  } finally {
    console.warn = original;
  }
  assert.equal(console.warn, original);
});

test("a tiny fit on ones runs and reseeded dropout repeats its mask", async () => {
  const model = buildRnnModel({ kind: "gru", timesteps: 4, features: 2, units: [4], dropout: 0.5 });
  const h = await model.fit(tf.ones([8, 4, 2]), tf.ones([8, 1]), { epochs: 2, verbose: 0 });
  assert.equal(h.history.loss.length, 2);
  const dropout = model.layers[1];
  const x = tf.ones([4, 4]);
  const masked = (seed: number) => {
    reseedDropout(model, () => seed);
    return tf.tidy(() => Array.from((dropout.apply(x, { training: true }) as tf.Tensor).dataSync()));
  };
  assert.deepEqual(masked(7), masked(7));
  assert.notDeepEqual(masked(7), masked(8));
  x.dispose();
});

test("original preset: Embedding → 3 × (RNN relu/hardSigmoid + Dropout 0.5) → Dense sigmoid", () => {
  // Small units keep the test quick; the full preset (256 units) takes seconds of orthogonal init.
  const model = buildOriginalModel({ kind: "lstm", units: 8, seed: 1 });
  assert.deepEqual(model.inputs[0].shape, [null, 16]);
  assert.deepEqual(
    model.layers.map((l) => l.getClassName()),
    ["Embedding", "LSTM", "Dropout", "LSTM", "Dropout", "LSTM", "Dropout", "Dense"],
  );
  const rnn = model.layers.filter((l) => l.getClassName() === "LSTM").map((l) => l.getConfig());
  assert.deepEqual(rnn.map((c) => [c.activation, c.recurrentActivation, c.returnSequences]), [
    ["relu", "hardSigmoid", true],
    ["relu", "hardSigmoid", true],
    ["relu", "hardSigmoid", false],
  ]);
  assert.equal(model.layers[2].getConfig().rate, 0.5);
  // the default (256 units) has 168·50 + 4(256·306+256) + 2·4(256·512+256) + 257 = 1,373,649 weights
  const lstm = (inp: number, u: number) => 4 * (u * (inp + u) + u);
  assert.equal(model.countParams(), 168 * 50 + lstm(50, 8) + 2 * lstm(8, 8) + 9);
  assert.equal(168 * 50 + lstm(50, 256) + 2 * lstm(256, 256) + 257, 1_373_649);
  const gru = buildOriginalModel({ kind: "gru", units: 8, layers: 2 });
  assert.deepEqual(gru.layers.map((l) => l.getClassName()), ["Embedding", "GRU", "Dropout", "GRU", "Dropout", "Dense"]);
  const p = gru.predict(tf.tensor2d([Array.from({ length: 16 }, (_, i) => i * 10)])) as tf.Tensor;
  assert.deepEqual(p.shape, [1, 1]);
  p.dispose();
});

test("modelSummary captures the printed table and the parameter count", () => {
  const model = buildRnnModel({ kind: "lstm", timesteps: 8, features: 3, units: [4] });
  const s = modelSummary(model);
  assert.equal(s.params, model.countParams());
  assert.ok(s.lines.some((l) => l.startsWith("Total params: ")));
  assert.ok(s.lines.some((l) => l.includes("LSTM")));
});
