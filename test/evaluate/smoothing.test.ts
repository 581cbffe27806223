import { test } from "node:test";
import assert from "node:assert/strict";
import { smoothScores } from "../../lib/evaluate";

test("smoothScores averages the last k windows of each recording in time order", () => {
  // two recordings interleaved and out of order; lastFrame gives the time order
  const windows = { count: 6, seq: Int32Array.from([0, 1, 0, 1, 0, 1]), lastFrame: Int32Array.from([40, 32, 32, 36, 36, 40]) };
  const probs = [0.9, 0.1, 0.3, 0.2, 0.6, 0.9];
  const s = smoothScores(probs, windows, 2);
  // recording 0 in time: 0.3 (f32), 0.6 (f36), 0.9 (f40)
  assert.ok(Math.abs(s[2] - 0.3) < 1e-6);
  assert.ok(Math.abs(s[4] - 0.45) < 1e-6);
  assert.ok(Math.abs(s[0] - 0.75) < 1e-6);
  // recording 1 in time: 0.1 (f32), 0.2 (f36), 0.9 (f40)
  assert.ok(Math.abs(s[5] - 0.55) < 1e-6);
  assert.deepEqual(Array.from(smoothScores(probs, windows, 1)), Array.from(Float32Array.from(probs)));
  assert.throws(() => smoothScores(probs, windows, 0), RangeError);
  assert.throws(() => smoothScores([0.1], windows, 2), RangeError);
});

test("a single spike is damped, a sustained rise is not", () => {
  const windows = { count: 8, seq: new Int32Array(8), lastFrame: Int32Array.from([0, 4, 8, 12, 16, 20, 24, 28]) };
  const spike = smoothScores([0, 0, 0.9, 0, 0, 0, 0, 0], windows, 3);
  assert.ok(Math.max(...spike) < 0.5);
  const rise = smoothScores([0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9], windows, 3);
  assert.ok(Math.max(...rise) > 0.85);
});
