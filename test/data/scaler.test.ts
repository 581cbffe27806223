import { test } from "node:test";
import assert from "node:assert/strict";
import { applyScaler, fitScaler } from "../../lib/data/scaler";
import { groupedSplit, selectWindows, takeWindows } from "../../lib/data/split";
import { makeWindows } from "../../lib/data/windows";
import { manySequences } from "./fixtures";

const ws = makeWindows(manySequences(10, 10, 12), { T: 4, stride: 2 });
const { trainSeq, testSeq } = groupedSplit(ws, { seed: 4, testFraction: 0.3 });
const train = selectWindows(ws, trainSeq);
const test_ = selectWindows(ws, testSeq);

function featureMean(w: typeof ws, f: number): number {
  let s = 0;
  for (let i = f; i < w.x.length; i += w.F) s += w.x[i];
  return s / (w.x.length / w.F);
}

test("scaler is fitted on train only: applying it to test changes neither scaler nor input", () => {
  const scaler = fitScaler(train);
  const frozen = JSON.stringify(scaler);
  const before = Float32Array.from(test_.x);
  const scaled = applyScaler(test_, scaler);
  assert.equal(JSON.stringify(scaler), frozen);
  assert.deepEqual(test_.x, before);
  assert.notEqual(scaled.x, test_.x);
  assert.deepEqual(JSON.parse(frozen), scaler);
  // The fixture's feature 0 encodes the sequence index, so test sequences have another mean.
  assert.ok(Math.abs(scaler.mean[0] - featureMean(test_, 0)) > 1);
  assert.ok(Math.abs(featureMean(applyScaler(train, scaler), 0)) < 0.2);
  assert.ok(Math.abs(featureMean(scaled, 0)) > 0.2);
});

test("scaler: unique frames, std floor, feature names checked", () => {
  const scaler = fitScaler(train);
  assert.equal(scaler.mean.length, 24);
  assert.deepEqual(scaler.featureNames, train.featureNames);
  // Every row of a fixture sequence differs from the previous by exactly 1 in each feature,
  // so the diff features are constant 1 after the first frame: no division by ~0.
  for (const s of scaler.std) assert.ok(s > 0 && Number.isFinite(s));
  // Unique-frame mean of feature 0 over train sequences: each has rows 0..11 once.
  const expected = trainSeq.reduce((a, s) => a + s * 1000 + 5.5, 0) / trainSeq.length;
  assert.ok(Math.abs(scaler.mean[0] - expected) < 1e-3, `${scaler.mean[0]} vs ${expected}`);
  // Frames repeated by overlapping windows count once: repeating a window changes nothing.
  const repeated = takeWindows(train, [0, 0, 0, 0, ...Array.from({ length: train.count }, (_, i) => i)]);
  assert.deepEqual(fitScaler(repeated), scaler);
  const flat = { ...train, x: Float32Array.from(train.x, (v, i) => (i % train.F === 2 ? 5 : v)) };
  const flatScaler = fitScaler(flat);
  assert.equal(flatScaler.std[2], 1);
  assert.ok(applyScaler(flat, flatScaler).x.every(Number.isFinite));
  assert.throws(() => applyScaler(makeWindows(manySequences(2, 2, 12), { T: 4, withDiffs: false }), scaler), /scaler has 24 features, windows have 8/);
});
