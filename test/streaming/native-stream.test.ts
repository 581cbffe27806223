import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { StreamingDetector, streamPlan } from "../../lib/streaming";
import { NativeStream, streamAddon } from "../../lib/streaming/native-stream";
import { FrameFeaturizer, featurizerFor } from "../../lib/streaming/frame-features";
import { F, frameAt, predictWindows, streamData, T, tinyModel } from "./fixtures";
import { initBackend } from "../../lib/backend";
import { nativeSkip } from "../fixtures/native-addon";

// The native step must be there wherever the addon can be built: a missing compiler is the only excuse.
const skip = nativeSkip();

/** Every weight replaced by a seeded uniform value in [-0.5, 0.5): biases too, so they are tested. */
function randomiseWeights(model: tf.LayersModel, seed: number): tf.LayersModel {
  const values = model.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.5, 0.5, "float32", seed + i));
  model.setWeights(values);
  tf.dispose(values);
  return model;
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

/** Recurrent layer(s) → Dropout → Dense hidden layer → Dense(1, sigmoid): a head the builders do not make. */
async function denseHeadModel(kind: "lstm" | "gru", units: number[], hidden: { units: number; activation: "relu" | "tanh" }): Promise<tf.LayersModel> {
  await initBackend();
  const model = tf.sequential();
  units.forEach((u, i) => {
    const args = { units: u, returnSequences: i < units.length - 1, kernelInitializer: init(i), recurrentInitializer: init(10 + i), ...(i === 0 ? { inputShape: [T, F] } : {}) };
    model.add(kind === "lstm" ? tf.layers.lstm(args) : tf.layers.gru(args));
    model.add(tf.layers.dropout({ rate: 0.3 }));
  });
  model.add(tf.layers.dense({ units: hidden.units, activation: hidden.activation, kernelInitializer: init(20) }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: init(21) }));
  return model;
}

const CASES: { name: string; make: () => Promise<tf.LayersModel> }[] = [
  { name: "LSTM(6)", make: () => tinyModel("lstm", [6]) },
  { name: "GRU(6)", make: () => tinyModel("gru", [6]) },
  { name: "LSTM(6) → LSTM(4)", make: () => tinyModel("lstm", [6, 4]) },
  { name: "GRU(6) → GRU(5) → GRU(3)", make: () => tinyModel("gru", [6, 5, 3]) },
  { name: "LSTM(6) → Dense(5, relu) → Dense(1)", make: () => denseHeadModel("lstm", [6], { units: 5, activation: "relu" }) },
  { name: "GRU(6) → GRU(4) → Dense(3, tanh) → Dense(1)", make: () => denseHeadModel("gru", [6, 4], { units: 3, activation: "tanh" }) },
];

for (const c of CASES) {
  test(`native stream ${c.name}: the tfjs-layers stateful detector's probability on every frame (a missing frame, a reset, ${368 - 1} frames)`, { skip }, async () => {
    const { ds, scaler } = streamData();
    const model = randomiseWeights(await c.make(), 3);
    const native = await StreamingDetector.fromModel(model, scaler);
    const tfjs = await StreamingDetector.fromModel(model, scaler, { kernel: "tfjs-layers-stateful" });
    assert.equal(native.kernel, "fused-native-stream", native.kernelNote);
    assert.equal(native.kernelNote, undefined);
    assert.equal(tfjs.kernel, "tfjs-layers-stateful");
    const missing = ds.sequences[0].start + 40; // never pushed: the featurizer divides its neighbours' diffs by the gap
    let worst = 0;
    let frames = 0;
    for (const s of ds.sequences) {
      for (const det of [native, tfjs]) det.reset();
      for (let r = s.start; r < s.start + s.length; r++) {
        if (r === missing) continue;
        const a = native.push(frameAt(ds, r), ds.table.frame[r]);
        const b = tfjs.push(frameAt(ds, r), ds.table.frame[r]);
        assert.ok(Number.isFinite(a) && a >= 0 && a <= 1, `frame ${r}: ${a}`);
        worst = Math.max(worst, Math.abs(a - b));
        frames++;
      }
    }
    assert.equal(frames, ds.table.rows - 1);
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    for (const det of [native, tfjs]) det.dispose();
    model.dispose();
  });
}

test("native stream carries the state: at frame T-1 it equals the window model; stepping from a zero state each frame does not", { skip }, async () => {
  const { ds, scaler, windows } = streamData();
  for (const kind of ["lstm", "gru"] as const) {
    const model = randomiseWeights(await tinyModel(kind, [6, 4]), 7);
    const batch = predictWindows(model, windows);
    const plan = streamPlan(model);
    const addon = streamAddon();
    assert.ok(typeof plan !== "string", String(plan));
    assert.ok(typeof addon !== "string", String(addon));
    assert.equal(plan.stateLength, (kind === "lstm" ? 2 : 1) * (6 + 4));
    const carried = new NativeStream(addon, plan);
    const stateless = new NativeStream(addon, plan);
    const featurizer: FrameFeaturizer = featurizerFor(F, scaler);
    const row = new Float32Array(F);
    let differs = 0;
    for (let r = 0; r < T; r++) {
      featurizer.next(frameAt(ds, r), row, ds.table.frame[r]);
      const p = carried.step(row);
      stateless.reset();
      const q = stateless.step(row);
      if (r > 0 && Math.abs(p - q) > 1e-4) differs++;
      if (r === T - 1) assert.ok(Math.abs(p - batch[0]) < 1e-5, `${kind}: frame T-1 ${p} vs window 0 ${batch[0]}`);
    }
    assert.ok(differs >= T - 2, `${kind}: the carried state changed ${differs} of ${T - 1} later frames`);
    assert.ok(carried.state.some((v) => v !== 0), "the state array holds the carried state");
    carried.reset();
    assert.ok(carried.state.every((v) => v === 0), "reset zeroes it");
    model.dispose();
  }
});

test("native StreamingDetector: no tensor per frame, reset repeats the stream, dispose ends it", { skip }, async () => {
  const { ds, scaler } = streamData();
  const model = await tinyModel("lstm", [6, 4]);
  const det = await StreamingDetector.fromModel(model, scaler);
  const tensors = tf.memory().numTensors;
  const first: number[] = [];
  for (let r = 0; r < 300; r++) first.push(det.push(frameAt(ds, r % ds.table.rows)));
  assert.equal(tf.memory().numTensors, tensors, "no tensor is made or left by a native push");
  assert.equal(det.stateTensorCount(), 0);
  det.reset();
  for (let r = 0; r < 3 * T; r++) assert.equal(det.push(frameAt(ds, r)), first[r], `after reset, frame ${r}`);
  det.dispose();
  assert.throws(() => det.push(frameAt(ds, 0)), /StreamingDetector was disposed/);
  model.dispose();
});

test("the fallback is labelled: a layer the native step lacks gives the tfjs copy and the reason; asking for native then throws", async () => {
  await initBackend();
  const { ds, scaler } = streamData();
  const model = tf.sequential();
  model.add(tf.layers.simpleRNN({ units: 4, inputShape: [T, F], kernelInitializer: init(1), recurrentInitializer: init(2) }));
  model.add(tf.layers.dense({ units: 1, activation: "sigmoid", kernelInitializer: init(3) }));
  const det = await StreamingDetector.fromModel(model, scaler);
  assert.equal(det.kernel, "tfjs-layers-stateful");
  assert.match(det.kernelNote ?? "", /SimpleRNN has no native stream step|fused RNN kernel|FALL_RNN_KERNEL|not built/);
  assert.ok(Number.isFinite(det.push(frameAt(ds, 0))));
  await assert.rejects(StreamingDetector.fromModel(model, scaler, { kernel: "fused-native-stream" }), /the native stream step cannot run this model: /);
  det.dispose();
  model.dispose();
});

test("streamPlan names what it cannot stream: recurrent dropout, a softmax head, two outputs, no recurrent layer", async () => {
  await initBackend();
  const build = (layers: tf.layers.Layer[]) => {
    const m = tf.sequential();
    for (const l of layers) m.add(l);
    return m;
  };
  const cases: [tf.LayersModel, RegExp][] = [
    [build([tf.layers.lstm({ units: 3, inputShape: [T, F], recurrentDropout: 0.1 }), tf.layers.dense({ units: 1, activation: "sigmoid" })]), /input\/recurrent dropout/],
    [build([tf.layers.gru({ units: 3, inputShape: [T, F] }), tf.layers.dense({ units: 1, activation: "softmax" })]), /activation softmax/],
    [build([tf.layers.gru({ units: 3, inputShape: [T, F] }), tf.layers.dense({ units: 2, activation: "sigmoid" })]), /gives 2 outputs per window/],
    [build([tf.layers.flatten({ inputShape: [T, F] }), tf.layers.dense({ units: 1, activation: "sigmoid" })]), /Flatten has no native stream step/],
  ];
  for (const [model, reason] of cases) {
    const plan = streamPlan(model);
    assert.equal(typeof plan, "string");
    assert.match(plan as string, reason);
    model.dispose();
  }
  const ok = await tinyModel("gru", [6]);
  const plan = streamPlan(ok);
  assert.ok(typeof plan !== "string");
  assert.deepEqual(plan.ops.map((o) => [o.kind, o.inputs, o.units, o.activation]), [["gru", F, 6, "tanh"], ["dense", 6, 1, "sigmoid"]], "Dropout is left out");
  assert.equal(plan.weights.length, F * 18 + 6 * 18 + 18 + 6 + 1);
  ok.dispose();
});

test("the addon's streamCreate/streamStep refuse a bad plan, weights, handle or state with one line", { skip }, async () => {
  const addon = streamAddon();
  assert.ok(typeof addon !== "string", String(addon));
  // F = 2, GRU(1) (G = 3): 2·3 + 1·3 + 3 = 12 weights; then Dense(1 → 1): 2.
  const codes = Int32Array.from([2, 1, 2, 1, 0, 3, 2, 1, 1, 2, 0]);
  const net = addon.streamCreate(codes, new Float32Array(14));
  assert.equal(addon.streamStep(net, new Float32Array(2), new Float32Array(1)), 0.5, "zero weights: sigmoid(0)");
  assert.throws(() => addon.streamCreate(codes, new Float32Array(13)), /^TypeError: streamCreate: the plan needs 14 weights, got 13$/);
  assert.throws(() => addon.streamCreate(Int32Array.from([2, 1, 3, 1, 0, 3]), new Float32Array(12)), /streamCreate: layer 0: takes 3 inputs but the layer before gives 2/);
  assert.throws(() => addon.streamCreate(Int32Array.from([2, 7, 2, 1, 0, 3]), new Float32Array(12)), /layer 0: kind must be 0 \(LSTM\), 1 \(GRU\) or 2 \(Dense\)/);
  assert.throws(() => addon.streamCreate(Float32Array.from(codes) as unknown as Int32Array, new Float32Array(14)), /plan must be an Int32Array/);
  assert.throws(() => addon.streamStep({}, new Float32Array(2), new Float32Array(1)), /the handle must come from streamCreate/);
  assert.throws(() => addon.streamStep(net, new Float32Array(1), new Float32Array(1)), /x must be a Float32Array of at least 2 floats/);
  assert.throws(() => addon.streamStep(net, new Float32Array(2), new Float32Array(0)), /state must be a Float32Array of at least 1 floats/);
});

test("FALL_RNN_KERNEL=tfjs: the detector falls back and says why (in a child process: the addon loads once)", { skip }, () => {
  const script = `
    const { initBackend } = require("./lib/backend");
    const { StreamingDetector, inputFeatureNames } = require("./lib/streaming");
    const { buildRnnModel } = require("./lib/model/rnn");
    (async () => {
      await initBackend();
      const names = inputFeatureNames(true, [1]);
      const model = buildRnnModel({ kind: "gru", timesteps: 4, features: names.length, units: [3] });
      const det = await StreamingDetector.fromModel(model, { mean: names.map(() => 0), std: names.map(() => 1), featureNames: names });
      console.log(JSON.stringify({ kernel: det.kernel, note: det.kernelNote }));
    })();`;
  const run = spawnSync(process.execPath, ["-e", script], { cwd: path.resolve(__dirname, "..", ".."), env: { ...process.env, FALL_RNN_KERNEL: "tfjs" }, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  assert.deepEqual(JSON.parse(line ?? "null"), { kernel: "tfjs-layers-stateful", note: "FALL_RNN_KERNEL=tfjs" });
});
