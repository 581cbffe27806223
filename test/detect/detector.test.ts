// FallDetector against the batch path it must equal: makeWindows + applyScaler, every member's
// prediction, the float32 mean, smoothScores, the threshold and the alarm logic.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { DEFAULT_DIFF_LAGS, makeWindows } from "../../lib/data/windows";
import { applyScaler } from "../../lib/data/scaler";
import { smoothScores } from "../../lib/evaluate/smoothing";
import { buildRnnModel } from "../../lib/model/rnn";
import { meanProbabilities } from "../../lib/pipeline/train-fold";
import { FallDetector, evaluationPhase, recordingAlarms, refractoryFrames, replayDataset } from "../../lib/detect";
import { writePreprocessing, type Preprocessing } from "../../lib/export/preprocessing";
import { DistributedModel } from "../../lib/distributed";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { F, predictWindows, streamData, T } from "../streaming/fixtures";

const STRIDE = 4;
const SMOOTH = 3;

async function members(): Promise<tf.LayersModel[]> {
  await initBackend();
  return [11, 12].map((seed) => buildRnnModel({ kind: "gru", timesteps: T, features: F, units: [6], dropout: 0.2, seed }));
}

/** A threshold halfway between two middle smoothed scores, so no score sits on it. */
function midThreshold(scores: Float32Array): number {
  const s = [...new Set(scores)].sort((a, b) => a - b);
  const i = Math.floor(s.length * 0.6);
  return (s[i - 1] + s[i]) / 2;
}

test("FallDetector replays each recording (evaluation placement) with the batch path's windows, ensemble mean, smoothed scores and alarms", async () => {
  const { ds, scaler } = streamData();
  const models = await members();
  const ws = applyScaler(makeWindows(ds, { T, stride: STRIDE }), scaler);
  const mean = meanProbabilities(models.map((m) => predictWindows(m, ws)));
  const smoothed = smoothScores(mean, ws, SMOOTH);
  const threshold = midThreshold(smoothed);
  const pre: Preprocessing = { scaler, window: { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }, threshold, smooth: SMOOTH };
  const detector = new FallDetector(models, pre, { refractorySec: 1 });
  assert.equal(detector.members, 2);
  const replayed = replayDataset(detector, ds);
  let alarms = 0;
  ds.sequences.forEach((s, si) => {
    const idx = Array.from({ length: ws.count }, (_, i) => i).filter((i) => ws.seq[i] === si);
    const r = replayed[si];
    assert.equal(r.phase, evaluationPhase(s.length, T, STRIDE));
    assert.deepEqual(r.windows.map((w) => w.frame), idx.map((i) => ws.lastFrame[i]), `${s.id}: the same windows`);
    r.windows.forEach((w, k) => {
      assert.ok(Math.abs(w.probability - mean[idx[k]]) <= 1e-6, `${s.id} window ${k}: probability ${w.probability} vs ${mean[idx[k]]}`);
      assert.ok(Math.abs(w.score - smoothed[idx[k]]) <= 1e-6, `${s.id} window ${k}: smoothed score`);
    });
    const want = recordingAlarms(idx.map((i) => ws.lastFrame[i]), idx.map((i) => smoothed[i]), { threshold, smooth: 1, refractoryFrames: refractoryFrames(1), fps: 30 });
    assert.deepEqual(r.alarms.map((a) => a.frame), want.alarms.map((a) => a.frame), `${s.id}: the same alarms`);
    alarms += r.alarms.length;
  });
  assert.ok(alarms > 0, "the threshold leaves some alarms to compare");
  detector.dispose();
  for (const m of models) m.dispose();
});

test("FallDetector live (phase 0) places windows from the first frame; push returns null between windows", async () => {
  const { ds, scaler } = streamData();
  const models = await members();
  const pre: Preprocessing = { scaler, window: { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }, threshold: 0.5, smooth: SMOOTH };
  const detector = new FallDetector(models, pre);
  const s = ds.sequences[0];
  const nf = ds.table.featureNames.length;
  const scored: number[] = [];
  for (let r = s.start; r < s.start + s.length; r++) {
    const step = detector.push(ds.table.features.subarray(r * nf, (r + 1) * nf));
    if (step) scored.push(step.frame);
  }
  const want = [];
  for (let row = T - 1; row < s.length; row += STRIDE) want.push(row);
  assert.deepEqual(scored, want, "without frame numbers, a window's frame is its row since the reset");
  detector.dispose();
  for (const m of models) m.dispose();
});

test("FallDetector refuses a missing threshold, a phase outside 0..stride-1 and a preprocessing of another window", async () => {
  const { scaler } = streamData();
  const models = await members();
  const window = { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] };
  assert.throws(() => new FallDetector(models, { scaler, window }), /no threshold/);
  assert.throws(() => new FallDetector(models, { scaler, window, threshold: 0.5 }, { phase: STRIDE }), /phase must be an integer in 0\.\.3/);
  assert.throws(() => new FallDetector(models, { scaler, window: { ...window, T: T + 1 }, threshold: 0.5 }), /window\.T is 9 but the model takes windows of 8/);
  assert.throws(() => new FallDetector([], { scaler, window, threshold: 0.5 }), /no model/);
  const d = new FallDetector(models, { scaler, window, threshold: 0.5 });
  assert.throws(() => d.push([1, 2, 3]), /8 features, got 3/);
  d.dispose();
  assert.throws(() => d.push(new Float32Array(8)), /disposed/);
  for (const m of models) m.dispose();
});

test("FallDetector with window.padStarts pads each recording as makeWindows does: the same windows (from frame T − padStarts on) and probabilities", async () => {
  const { ds, scaler } = streamData();
  const models = await members();
  const PAD = T - 3;
  const ws = applyScaler(makeWindows(ds, { T, stride: STRIDE, padStarts: PAD }), scaler);
  const mean = meanProbabilities(models.map((m) => predictWindows(m, ws)));
  const pre: Preprocessing = { scaler, window: { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS], padStarts: PAD }, threshold: 0.5, smooth: SMOOTH };
  const detector = new FallDetector(models, pre);
  assert.equal(detector.padStarts, PAD);
  const replayed = replayDataset(detector, ds);
  ds.sequences.forEach((s, si) => {
    const idx = Array.from({ length: ws.count }, (_, i) => i).filter((i) => ws.seq[i] === si);
    const first = ds.table.frame[s.start];
    assert.ok(ws.lastFrame[idx[0]] < first + T - 1, `${s.id}: a window ends before T real frames exist`);
    assert.ok(ws.lastFrame[idx[0]] >= first + T - PAD - 1, `${s.id}: every window holds T − padStarts real frames`);
    assert.deepEqual(replayed[si].windows.map((w) => w.frame), idx.map((i) => ws.lastFrame[i]), `${s.id}: the same windows`);
    replayed[si].windows.forEach((w, k) => assert.ok(Math.abs(w.probability - mean[idx[k]]) <= 1e-6, `${s.id} window ${k}: probability ${w.probability} vs ${mean[idx[k]]}`));
  });
  assert.throws(() => makeWindows(ds, { T, stride: STRIDE, padStarts: T }), /padStarts must be an integer in 0\.\.7/);
  detector.dispose();
  for (const m of models) m.dispose();
});

test("FallDetector refuses a bad frame before it changes anything: a frame number not finite or not after the last, a feature that is not a number; phase is read-only", async () => {
  const { ds, scaler } = streamData();
  const models = await members();
  const pre: Preprocessing = { scaler, window: { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }, threshold: 0.5, smooth: SMOOTH };
  const clean = new FallDetector(models, pre);
  const probed = new FallDetector(models, pre);
  const s = ds.sequences[0];
  const nf = ds.table.featureNames.length;
  const row = (r: number) => ds.table.features.subarray(r * nf, (r + 1) * nf);
  const bad: [() => unknown, RegExp][] = [];
  for (let r = s.start; r < s.start + s.length; r++) {
    const frame = ds.table.frame[r];
    const want = clean.push(row(r), frame);
    if (r - s.start === 20) {
      // Each refused push leaves the stream as it was: the next good frame scores as in a clean stream.
      bad.push([() => probed.push(row(r), NaN), /frame number is not a finite number: NaN/]);
      bad.push([() => probed.push(row(r), frame - 1), new RegExp(`frame ${frame - 1} after frame ${frame - 1}: frame numbers must increase; call reset\\(\\) when a stream restarts`)]);
      bad.push([() => probed.push([null, 1, 1, 1, 1, 1, 1, 1] as unknown as number[], frame), /feature \w+ is not a number: null/]);
      bad.push([() => probed.push(["1.5", 1, 1, 1, 1, 1, 1, 1] as unknown as number[], frame), /is not a number: 1\.5/]);
      for (const [push, why] of bad) assert.throws(push, why);
    }
    assert.deepEqual(probed.push(row(r), frame), want, `frame ${frame}`);
  }
  assert.equal(bad.length, 4);
  assert.throws(() => ((probed as unknown as { phase: number }).phase = 7), TypeError, "phase has no setter: reset(phase) checks it");
  probed.reset(1);
  assert.equal(probed.phase, 1);
  clean.dispose();
  probed.dispose();
  assert.throws(() => probed.reset(), /disposed/);
  for (const m of models) m.dispose();
});

/** A pipeline-style model folder (DistributedModel.save + preprocessing.json) of a tiny GRU, in a fresh temp root. */
async function savedModelRoot(t: { after: (f: () => void) => void }, dirs: (root: string) => string[]): Promise<string> {
  const { scaler } = streamData();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "detector-saved-"));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const dir of dirs(root)) {
    const dm = await DistributedModel.create({
      model: { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [4], seed: 5 } },
      config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 },
    });
    await dm.save(dir);
    writePreprocessing(dir, { scaler, window: { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }, threshold: 0.5, smooth: SMOOTH });
  }
  return root;
}

test("FallDetector.fromDir then dispose() frees every tensor, the members' Adam state included", async (t) => {
  const dir = path.join(await savedModelRoot(t, (r) => [path.join(r, "m")]), "m");
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) (await FallDetector.fromDir(dir)).dispose();
  assert.equal(tf.memory().numTensors, before, "no tensor left per load (tfjs keeps a compiled optimizer it was handed)");
});

test("FallDetector.fromDir on one member of an ensemble folder says its threshold is the ensemble's; the ensemble and a lone model say nothing", async (t) => {
  const root = await savedModelRoot(t, (r) => [path.join(r, "ens", "member-1"), path.join(r, "ens", "member-2"), path.join(r, "lone")]);
  const member = await FallDetector.fromDir(path.join(root, "ens", "member-1"));
  assert.match(member.memberNote ?? "", /member-1 is one member of the 2-model ensemble in .*ens: its threshold was chosen for the ensemble's mean; load .*ens for the evaluated detector$/);
  member.dispose();
  const given = await FallDetector.fromDir(path.join(root, "ens", "member-1"), { threshold: 0.4 });
  assert.equal(given.memberNote, undefined, "a threshold given by the caller is the caller's");
  given.dispose();
  for (const dir of [path.join(root, "ens"), path.join(root, "lone")]) {
    const d = await FallDetector.fromDir(dir);
    assert.equal(d.memberNote, undefined, dir);
    d.dispose();
  }
});

test("an ensemble folder missing its last member is refused by the count its preprocessing.json holds (numbering alone cannot see it)", async (t) => {
  const root = await savedModelRoot(t, (r) => [path.join(r, "ens", "member-1"), path.join(r, "ens", "member-2")]);
  const ens = path.join(root, "ens");
  const setMembers = (n: number) => {
    for (const m of ["member-1", "member-2"]) {
      const file = path.join(ens, m, "preprocessing.json");
      fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), members: n }));
    }
  };
  setMembers(2);
  (await FallDetector.fromDir(ens)).dispose();
  setMembers(3);
  await assert.rejects(FallDetector.fromDir(ens), (e: Error) => e.message === `${ens}: holds 2 member folder(s), but its preprocessing.json says the ensemble has 3 (member-3 is missing)`);
});
