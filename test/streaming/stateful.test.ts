import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { saveModelFiles } from "../../lib/model/io";
import { writePreprocessing } from "../../lib/export/preprocessing";
import { measureStreamingLatency, StreamingDetector, WindowedStream } from "../../lib/streaming";
import { frameAt, predictWindows, streamData, T, tinyModel } from "./fixtures";

for (const [kind, units, kernel] of [
  ["lstm", [6, 4], "tfjs-layers-stateful"],
  ["gru", [6], "tfjs-layers-stateful"],
  ["lstm", [6, 4], "auto"],
  ["gru", [6], "auto"],
] as const) {
  test(`StreamingDetector (${kind}, kernel ${kernel}): after T frames from a reset it equals the window model; later it differs (no restart)`, async () => {
    const { ds, scaler, windows } = streamData();
    const model = await tinyModel(kind, [...units]);
    const batch = predictWindows(model, windows);
    const det = await StreamingDetector.fromModel(model, scaler, { kernel });
    // auto: the native step wherever the addon is built (its state is a Float32Array: no tensors).
    const tensorsPerLayer = det.kernel === "fused-native-stream" ? 0 : kind === "lstm" ? 2 : 1;
    const s = ds.sequences[0];
    const probs: number[] = [];
    for (let r = s.start; r < s.start + s.length; r++) probs.push(det.push(frameAt(ds, r), ds.table.frame[r]));
    for (const p of probs) assert.ok(p >= 0 && p <= 1 && Number.isFinite(p), `probability in [0, 1]: ${p}`);
    // Window 0 is frames 0..T-1 of sequence 0: both start from a zero state there.
    assert.ok(Math.abs(probs[T - 1] - batch[0]) < (det.kernel === "fused-native-stream" ? 1e-5 : 1e-6), `frame T-1: ${probs[T - 1]} vs window ${batch[0]}`);
    const later = probs.slice(T).map((p, i) => Math.abs(p - batch[i + 1]));
    assert.ok(Math.max(...later) > 1e-4, "the stateful stream sees more than T frames, so it differs from window scores");
    assert.equal(det.stateTensorCount(), tensorsPerLayer * units.length);
    // reset(): the same frames again give the same probabilities.
    det.reset();
    for (let r = s.start; r < s.start + 3 * T; r++) assert.equal(det.push(frameAt(ds, r), ds.table.frame[r]), probs[r - s.start], `after reset, frame ${r - s.start}`);
    det.dispose();
    model.dispose();
  });
}

test("StreamingDetector on tfjs: constant work per frame over 1,000 frames (state tensors flat, no tensor leak)", async () => {
  const { ds, scaler } = streamData();
  const model = await tinyModel("lstm", [6, 4]);
  const baseline = tf.memory().numTensors;
  const det = await StreamingDetector.fromModel(model, scaler, { kernel: "tfjs-layers-stateful" });
  const frames = Array.from({ length: 1000 }, (_, i) => frameAt(ds, i % ds.table.rows));
  det.push(frames[0]); // the first call creates the state tensors
  const tensors = tf.memory().numTensors;
  const states = det.stateTensorCount();
  for (let i = 1; i < frames.length; i++) {
    det.push(frames[i]);
    if (i % 100 === 0) {
      assert.equal(tf.memory().numTensors, tensors, `tensor count after ${i} frames`);
      assert.equal(det.stateTensorCount(), states, `state tensors after ${i} frames`);
    }
  }
  det.reset();
  assert.equal(tf.memory().numTensors, tensors, "reset replaces the state, it does not add tensors");
  det.dispose();
  assert.equal(tf.memory().numTensors, baseline, "dispose frees the copy's weights and its state");
  model.dispose();
});

test("measureStreamingLatency: p50 <= p99, both finite, for every scorer", async (t) => {
  const { ds, scaler } = streamData();
  const model = await tinyModel("gru");
  const det = await StreamingDetector.fromModel(model, scaler);
  const tfjs = await StreamingDetector.fromModel(model, scaler, { kernel: "tfjs-layers-stateful" });
  const win = new WindowedStream(model, scaler);
  const frames = Array.from({ length: 300 }, (_, i) => frameAt(ds, i % ds.table.rows));
  for (const [name, scorer] of [[`stateful ${det.kernel}`, det], ["stateful tfjs-layers-stateful", tfjs], ["windowed T=8", win]] as const) {
    const l = measureStreamingLatency(scorer, frames);
    assert.ok(Number.isFinite(l.p50Ms) && Number.isFinite(l.p99Ms) && l.p50Ms > 0 && l.p50Ms <= l.p99Ms, JSON.stringify(l));
    t.diagnostic(`${name} ${tf.getBackend()}: p50 ${l.p50Ms.toFixed(4)} ms, p99 ${l.p99Ms.toFixed(4)} ms`);
  }
  det.dispose();
  tfjs.dispose();
  model.dispose();
});

test("fromDir (both scorers) reads the scaler from preprocessing.json and matches the in-memory model", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "stream-dir-"));
  try {
    const { ds, scaler } = streamData();
    const model = await tinyModel("gru");
    await saveModelFiles(model, dir);
    await assert.rejects(StreamingDetector.fromDir(dir), /preprocessing\.json: not found/);
    writePreprocessing(dir, { scaler, window: { T, stride: 4, withDiffs: true } });
    const a = await StreamingDetector.fromDir(dir);
    const b = await StreamingDetector.fromModel(model, scaler);
    const wa = await WindowedStream.fromDir(dir);
    const wb = new WindowedStream(model, scaler);
    for (let r = 0; r < 2 * T; r++) {
      assert.equal(a.push(frameAt(ds, r)), b.push(frameAt(ds, r)));
      assert.equal(wa.push(frameAt(ds, r)), wb.push(frameAt(ds, r)));
    }
    for (const x of [a, b, wa, wb]) x.dispose();
    model.dispose();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
