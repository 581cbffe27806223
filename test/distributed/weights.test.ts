import { test } from "node:test";
import assert from "node:assert/strict";
import { add, addInPlace, flatten, scale, subtract, totalSize, unflatten, weightedAverage } from "../../lib/distributed/weights";

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
