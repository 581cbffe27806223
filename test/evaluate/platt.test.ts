import { test } from "node:test";
import assert from "node:assert/strict";
import { applyPlatt, fitPlatt } from "../../lib/evaluate/platt";
import { createRng } from "../../lib/random";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const logit = (p: number) => Math.log(p / (1 - p));

/** Scores whose labels follow sigmoid(a·logit(p) + b) exactly in expectation: the fit must find a and b again. */
function drawn(a: number, b: number, n: number, seed: number): { p: Float32Array; y: Float32Array } {
  const rng = createRng(seed);
  const p = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    p[i] = Math.fround(0.02 + 0.96 * rng());
    y[i] = rng() < sigmoid(a * logit(p[i]) + b) ? 1 : 0;
  }
  return { p, y };
}

test("fitPlatt recovers the slope and offset the labels were drawn with", () => {
  for (const [a, b] of [[1, 0], [2.5, -1], [0.4, 0.8]]) {
    const { p, y } = drawn(a, b, 40000, 7);
    const fit = fitPlatt(p, y);
    assert.ok(Math.abs(fit.a - a) < 0.08 * a + 0.03, `a: ${fit.a} against ${a}`);
    assert.ok(Math.abs(fit.b - b) < 0.08, `b: ${fit.b} against ${b}`);
  }
});

test("Platt scaling keeps the order of the scores and makes an overconfident member honest", () => {
  // A member twice as confident as its labels warrant: logits doubled.
  const { p, y } = drawn(1, 0, 20000, 3);
  const over = Float32Array.from(p, (v) => sigmoid(2 * logit(v)));
  const fit = fitPlatt(over, y);
  assert.ok(Math.abs(fit.a - 0.5) < 0.05, `a ${fit.a}, expected about 0.5`);
  const cal = applyPlatt(over, fit);
  const order = (v: Float32Array) => Array.from(v.keys()).sort((i, j) => v[i] - v[j] || i - j);
  assert.deepEqual(order(cal), order(over));
  // Calibrated: the mean predicted probability matches the rate of positives.
  const rate = y.reduce((s, v) => s + v, 0) / y.length;
  const mean = cal.reduce((s, v) => s + v, 0) / cal.length;
  assert.ok(Math.abs(mean - rate) < 0.01, `mean ${mean} against rate ${rate}`);
});

test("a separable training set gets finite parameters; bad labels are refused", () => {
  const p = Float32Array.from([0.01, 0.02, 0.03, 0.97, 0.98, 0.99]);
  const y = Float32Array.from([0, 0, 0, 1, 1, 1]);
  const fit = fitPlatt(p, y);
  assert.ok(Number.isFinite(fit.a) && Number.isFinite(fit.b) && fit.a > 0);
  assert.throws(() => fitPlatt(p, new Float32Array(6)), /both classes/);
  assert.throws(() => fitPlatt(p, Float32Array.from([0, 0, 0, 1, 1, 2])), /not 0 or 1/);
  assert.throws(() => fitPlatt(p, new Float32Array(5)), /6 scores for 5 labels/);
});

test("a calibrated alarm rule fits each member on the fold's training windows only, and maps its test scores with that fit", async () => {
  const { membersFor } = await import("../../lib/detect/rule-study");
  const { p, y } = drawn(2, -0.5, 4000, 11);
  const second = Float32Array.from(p, (v) => Math.fround(sigmoid(0.5 * logit(v) + 0.3)));
  const testScores = Float32Array.from([0.1, 0.5, 0.9]);
  const fold = (testLabels: number[]) => ({
    fold: 1, threshold: 0.5,
    train: { y } as never, test: { y: Float32Array.from(testLabels) } as never,
    trainMembers: [p, second], testMembers: [testScores, testScores],
  });
  const plain = { name: "mean", aggregate: "mean" as const, smooth: 1 };
  const f = fold([0, 1, 1]);
  assert.equal(membersFor(plain, f).test[0], testScores, "no calibration: the members as they are");
  const cal = membersFor({ ...plain, calibrate: "platt" }, f);
  const first = fitPlatt(p, y);
  assert.deepEqual(cal.train[0], applyPlatt(p, first));
  assert.deepEqual(cal.test[0], applyPlatt(testScores, first));
  // Each member its own fit: the second, less confident one, is stretched where the first is shrunk.
  assert.ok(fitPlatt(second, y).a > first.a);
  assert.notDeepEqual(cal.test[1], cal.test[0]);
  // The test side's labels never enter the fit.
  assert.deepEqual(membersFor({ ...plain, calibrate: "platt" }, fold([1, 0, 0])).test, cal.test);
});
