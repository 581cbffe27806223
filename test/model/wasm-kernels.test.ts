// The wasm kernel fixes: a missing UnsortedSegmentSum (Embedding gradient) and untransposed
// matMul paths must give the cpu backend's numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { unsortedSegmentSumValues } from "../../lib/wasm-kernels";

test("unsortedSegmentSumValues sums rows by segment and drops out-of-range ids", () => {
  const out = new Float32Array(6);
  // rows [1,2], [3,4], [5,6], [7,8] into 3 segments of width 2; id 7 is out of range
  unsortedSegmentSumValues([1, 2, 3, 4, 5, 6, 7, 8], [2, 0, 2, 7], 3, 2, out);
  assert.deepEqual(Array.from(out), [3, 4, 0, 0, 6, 8]);
});

async function onBackend<T>(name: "wasm" | "cpu", f: () => T): Promise<T> {
  await initBackend({ prefer: name });
  return f();
}

test("on wasm, transposed matMul, matMul gradients and the Gather (Embedding) gradient equal the cpu backend", async () => {
  const compute = (): number[][] =>
    tf.tidy(() => {
      const a = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), [3, 4]);
      const b = tf.tensor2d(Array.from({ length: 20 }, (_, i) => Math.cos(i)), [4, 5]);
      const bT = tf.tensor2d(Array.from({ length: 20 }, (_, i) => Math.cos(i)), [5, 4]);
      const aT = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)), [4, 3]);
      const table = tf.tensor2d(Array.from({ length: 15 }, (_, i) => i / 7), [5, 3]);
      const ids = tf.tensor1d([4, 0, 4, 2], "int32");
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y).square().sum())([a, b]);
      const gTable = tf.grad((t: tf.Tensor) => tf.gather(t, ids).mul(tf.range(1, 13).reshape([4, 3])).sum())(table);
      return [tf.matMul(aT, b, true, false), tf.matMul(a, bT, false, true), tf.matMul(aT, bT, true, true), ga, gb, gTable].map((t) => Array.from(t.dataSync()));
    });
  const cpu = await onBackend("cpu", compute);
  let wasm: number[][];
  try {
    wasm = await onBackend("wasm", compute);
  } finally {
    await initBackend({ prefer: "wasm" });
  }
  assert.equal(wasm.length, cpu.length);
  for (const [i, w] of wasm.entries()) {
    assert.equal(w.length, cpu[i].length);
    for (const [j, v] of w.entries()) assert.ok(Math.abs(v - cpu[i][j]) < 1e-4, `result ${i}[${j}]: wasm ${v}, cpu ${cpu[i][j]}`);
  }
  // the Embedding gradient: rows 4 (twice), 0 and 2 got gradient, rows 1 and 3 none
  assert.deepEqual(cpu[5].slice(3, 6), [0, 0, 0]);
  assert.deepEqual(cpu[5].slice(12, 15), [1 + 7, 2 + 8, 3 + 9]);
});
