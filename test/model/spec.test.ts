import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { buildModelFromSpec, parseModelSpec, specInputShape, ModelSpec } from "../../lib/model/spec";
import { loadModelFiles, saveModelFiles } from "../../lib/model/io";

before(async () => {
  await initBackend();
});

test("a spec survives JSON and rebuilds the same seeded model", () => {
  const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 5, features: 2, units: [3, 3], dropout: 0.1, seed: 4, learningRate: 0.01 } };
  const parsed = parseModelSpec(JSON.parse(JSON.stringify(spec)));
  assert.deepEqual(parsed, spec);
  const a = buildModelFromSpec(parsed).getWeights().map((w) => Array.from(w.dataSync()));
  const b = buildModelFromSpec(spec).getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(a, b);
  assert.deepEqual(specInputShape(spec), { timesteps: 5, features: 2, tokens: false });
  const original = parseModelSpec({ type: "original", options: { kind: "lstm", units: 4 } });
  assert.deepEqual(specInputShape(original), { timesteps: 16, features: 1, tokens: true });
});

test("parseModelSpec rejects anything wrong with a one-line TypeError", () => {
  const bad: [unknown, RegExp][] = [
    [null, /model spec must be an object/],
    [{ type: "cnn", options: {} }, /model spec\.type must be one of 'rnn', 'original'/],
    [{ type: "rnn" }, /model spec\.options must be an object/],
    [{ type: "rnn", options: { kind: "rnn", timesteps: 4, features: 2 } }, /options\.kind must be one of 'lstm', 'gru'/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 0, features: 2 } }, /options\.timesteps must be an integer >= 1/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, units: [] } }, /options\.units must be a non-empty array/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, units: [8, -1] } }, /options\.units\[1\]/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, dropout: 1 } }, /options\.dropout/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, learningRate: 0 } }, /options\.learningRate/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, layers: 2 } }, /unknown key\(s\) layers/],
    [{ type: "original", options: { kind: "lstm", vocabSize: 1.5 } }, /options\.vocabSize/],
    [{ type: "rnn", options: { kind: "gru", timesteps: 4, features: 2 }, extra: 1 }, /unknown key\(s\) extra/],
  ];
  for (const [value, pattern] of bad) {
    assert.throws(() => parseModelSpec(value), (e: unknown) => {
      assert.ok(e instanceof TypeError, `${JSON.stringify(value)} → ${String(e)}`);
      assert.ok(!e.message.includes("\n"));
      assert.match(e.message, pattern);
      return true;
    });
  }
});

test("saveModelFiles writes tfjs layers format that loadModelFiles reads back identically", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "model-io-"));
  try {
    const model = buildModelFromSpec({ type: "rnn", options: { kind: "lstm", timesteps: 4, features: 2, units: [3] } });
    await saveModelFiles(model, dir);
    const json = JSON.parse(await fs.readFile(path.join(dir, "model.json"), "utf8"));
    assert.equal(json.format, "layers-model");
    assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
    const loaded = await loadModelFiles(dir);
    const x = tf.randomNormal([5, 4, 2], 0, 1, "float32", 1);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.equal(loaded.loss, "binaryCrossentropy", "training config restored");
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
