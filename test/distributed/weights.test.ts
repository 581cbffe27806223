import { test } from "node:test";
import assert from "node:assert/strict";
import { adamStateSize, add, RunningMean, addInPlace, averageAdamStates, flatten, packAdamState, scale, subtract, totalSize, unflatten, unpackAdamState, weightedAverage } from "../../lib/distributed/weights";

const f = (...v: number[]) => Float32Array.from(v);

test("flatten and unflatten are inverse over shapes", () => {
  const shapes = [[2, 3], [3], [1, 1]];
  const parts = [f(1, 2, 3, 4, 5, 6), f(7, 8, 9), f(10)];
  const flat = flatten(parts);
  assert.equal(totalSize(shapes), 10);
  assert.deepEqual(Array.from(flat), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(unflatten(flat, shapes), parts);
  assert.throws(() => unflatten(flat, [[3, 3]]), RangeError);
  assert.throws(() => flatten(parts, new Float32Array(9)), RangeError);
});

test("add, subtract and scale work on vectors and per-layer lists without mutating", () => {
  const a = f(1, 2, 3);
  const b = f(0.5, 0.5, 1);
  assert.deepEqual(Array.from(add(a, b)), [1.5, 2.5, 4]);
  assert.deepEqual(Array.from(subtract(a, b)), [0.5, 1.5, 2]);
  assert.deepEqual(Array.from(scale(a, 2)), [2, 4, 6]);
  assert.deepEqual(Array.from(a), [1, 2, 3]);
  const sum = add([f(1), f(2, 3)], [f(1), f(1, 1)]);
  assert.deepEqual(sum.map((w) => Array.from(w)), [[2], [3, 4]]);
  assert.throws(() => add(f(1), f(1, 2)), RangeError);
  assert.throws(() => subtract([f(1)], [f(1), f(2)]), RangeError);
  const t = f(1, 1);
  addInPlace(t, f(2, -1));
  assert.deepEqual(Array.from(t), [3, 0]);
});

test("weightedAverage weights by samples and ignores zero-sample workers", () => {
  const w0 = f(0, 10);
  const w1 = f(4, 20);
  const w2 = f(1000, 1000); // empty partition: must not count
  const avg = weightedAverage([w0, w1, w2], [1, 3, 0]);
  assert.deepEqual(Array.from(avg), [3, 17.5]);
  const out = new Float32Array(2);
  assert.equal(weightedAverage([w0, w1], [1, 1], out), out);
  assert.deepEqual(Array.from(out), [2, 15]);
});

test("weightedAverage rejects all-zero counts and mismatched inputs", () => {
  assert.throws(() => weightedAverage([f(1), f(2)], [0, 0]), /every sample count is zero/);
  assert.throws(() => weightedAverage([f(1)], [1, 2]), RangeError);
  assert.throws(() => weightedAverage([f(1), f(1, 2)], [1, 1]), RangeError);
  assert.throws(() => weightedAverage([f(1)], [-1]), RangeError);
  assert.throws(() => weightedAverage([], []), RangeError);
});

test("averageAdamStates: moments and step count averaged with the weights' row weights, empty workers ignored", () => {
  const s0 = { m: f(1, -2), v: f(0.5, 4), steps: 10 };
  const s1 = { m: f(3, 2), v: f(1.5, 0), steps: 12 };
  const s2 = { m: f(99, 99), v: f(99, 99), steps: 99 }; // no rows this round: must not count
  const avg = averageAdamStates([s0, s1, s2], [1, 3, 0]);
  assert.deepEqual(Array.from(avg.m), [2.5, 1]);
  assert.deepEqual(Array.from(avg.v), [1.25, 1]);
  assert.equal(avg.steps, 11.5);
  // the same arithmetic as the weights: the packed vectors through weightedAverage
  assert.deepEqual(packAdamState(avg), weightedAverage([packAdamState(s0), packAdamState(s1), packAdamState(s2)], [1, 3, 0]));
  assert.deepEqual(Array.from(s0.m), [1, -2], "inputs untouched");
  assert.throws(() => averageAdamStates([s0, s1], [0, 0]), /every sample count is zero/);
  assert.throws(() => averageAdamStates([s0, { m: f(1), v: f(1), steps: 1 }], [1, 1]), RangeError);
});

test("packAdamState and unpackAdamState are inverse; bad sizes throw", () => {
  const s = { m: f(1, 2, 3), v: f(4, 5, 6), steps: 7 };
  assert.equal(adamStateSize(3), 7);
  const packed = packAdamState(s);
  assert.deepEqual(Array.from(packed), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(unpackAdamState(packed), s);
  const into = { m: new Float32Array(3), v: new Float32Array(3), steps: 0 };
  assert.equal(unpackAdamState(packed, into), into);
  assert.deepEqual(into, s);
  assert.throws(() => packAdamState({ m: f(1), v: f(1, 2), steps: 0 }), RangeError);
  assert.throws(() => unpackAdamState(f(1, 2)), RangeError);
  assert.throws(() => unpackAdamState(packed, { m: new Float32Array(2), v: new Float32Array(2), steps: 0 }), RangeError);
});

test("RunningMean: the float64 mean of the vectors added, rounded once; refuses a wrong length and an empty mean", () => {
  const m = new RunningMean(2);
  assert.throws(() => m.mean(), /nothing was added/);
  m.add(f(1, 0.1));
  m.add(f(2, 0.2));
  m.add(f(4, 0.3));
  assert.equal(m.count, 3);
  assert.deepEqual(Array.from(m.mean()), [Math.fround(7 / 3), Math.fround((Math.fround(0.1) + Math.fround(0.2) + Math.fround(0.3)) / 3)]);
  assert.throws(() => m.add(f(1)), /expected 2 floats, got 1/);
  assert.throws(() => new RunningMean(0), RangeError);
});
