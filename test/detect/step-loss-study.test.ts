import { test } from "node:test";
import assert from "node:assert/strict";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { selectWindows } from "../../lib/data/split";
import { fitStepModel, stepLabels, stepWeights } from "../../lib/detect/step-loss-study";
import { auc } from "../../lib/evaluate/metrics";
import { nativeSkip } from "../fixtures/native-addon";

const ds = generateSynthetic({ seed: 3, falls: 4, adls: 4 });
const windows = makeWindows(ds, { T: 32, stride: 4 });

test("stepLabels: 0 until a fall window's first falling row, 1 from it on; the last step is the window's label", () => {
  const labels = stepLabels(windows, ds);
  const T = windows.T;
  let onsets = 0;
  for (let w = 0; w < windows.count; w++) {
    const row = labels.subarray(w * T, (w + 1) * T);
    assert.equal(row[T - 1], windows.y[w], `window ${w}: last step against its label`);
    for (let t = 1; t < T; t++) assert.ok(row[t] >= row[t - 1], `window ${w}: a step label fell back to 0 at step ${t}`);
    if (!windows.sequenceIsFall[windows.seq[w]]) assert.ok(row.every((v) => v === 0), `ADL window ${w} has a fall step`);
    if (row[0] === 0 && row[T - 1] === 1) onsets++;
  }
  // Windows that see the fall begin inside them are what the per-step loss adds: the synthetic falls give some.
  assert.ok(onsets > 0, "no window with a fall's onset inside it");
  // A window whose end frame is not in the data set is refused, not labelled.
  const moved = { ...windows, lastFrame: windows.lastFrame.map((f) => f + 100000) };
  const fallWindow = Array.from(windows.seq).findIndex((s) => windows.sequenceIsFall[s] === 1);
  assert.throws(() => stepLabels(selectWindows(moved, [windows.seq[fallWindow]]), ds), /is not T real rows/);
});

test("stepWeights: each arm's steps, summing to T", () => {
  const T = 32;
  const sum = (w: Float32Array) => w.reduce((a, b) => a + b, 0);
  const last = stepWeights("last", T, 8);
  assert.deepEqual(Array.from(last.subarray(0, T - 1)), new Array(T - 1).fill(0));
  assert.equal(last[T - 1], T);
  const steps = stepWeights("steps", T, 8);
  assert.deepEqual(Array.from(steps.subarray(0, 7)), new Array(7).fill(0));
  assert.ok(steps.subarray(7).every((v) => Math.abs(v - T / 25) < 1e-6));
  const aux = stepWeights("aux", T, 8);
  assert.ok(Math.abs(aux[T - 1] - (T / 2 + T / 50)) < 1e-5);
  assert.ok(Math.abs(aux[7] - T / 50) < 1e-6);
  for (const w of [last, steps, aux]) assert.ok(Math.abs(sum(w) - T) < 1e-4);
  assert.throws(() => stepWeights("steps", T, 0), /fromStep must be in 1\.\.32/);
  assert.throws(() => stepWeights("steps", T, 33), /fromStep must be in 1\.\.32/);
});

test("fitStepModel: a per-step fit scores every window by its last step, and learns the synthetic falls", { skip: nativeSkip() }, async () => {
  const labels = stepLabels(windows, ds);
  const [scores] = await fitStepModel(windows, labels, [windows], { arm: "aux", fromStep: 8, epochs: 30, batchSize: 16, seed: 1 });
  assert.equal(scores.length, windows.count);
  assert.ok(scores.every((p) => p > 0 && p < 1));
  const a = auc(scores, windows.y) ?? 0;
  assert.ok(a > 0.9, `window AUC on its own training windows ${a}`);
});
