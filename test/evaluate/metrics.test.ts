import { test } from "node:test";
import assert from "node:assert/strict";
import { auc, binaryMetrics, confusionMatrix, rocCurve } from "../../lib/evaluate/metrics";
import { createRng } from "../../lib/random";

// Hand-made example: 6 falls, 7 non-falls. At threshold 0.5:
//  falls     0.9 0.8 0.7 0.6 0.55 | 0.3           → tp 5, fn 1
//  non-falls 0.75 0.65 0.52 | 0.4 0.2 0.1 0.05    → fp 3, tn 4
const probs = Float32Array.from([0.9, 0.8, 0.7, 0.6, 0.55, 0.3, 0.75, 0.65, 0.52, 0.4, 0.2, 0.1, 0.05]);
const labels = Float32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);

const close = (actual: number | null, expected: number, msg?: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${msg ?? ""} expected ${expected}, got ${actual}`);
};

/** Mann–Whitney by brute force over all (positive, negative) pairs, ties half. */
function pairwiseAuc(s: ArrayLike<number>, y: ArrayLike<number>): number {
  let wins = 0, pairs = 0;
  for (let i = 0; i < s.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < s.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

test("confusionMatrix: [[tn, fp], [fn, tp]] on the hand example", () => {
  const pred = Uint8Array.from(probs, (p) => (p >= 0.5 ? 1 : 0));
  assert.deepEqual(confusionMatrix(pred, labels), [[4, 3], [1, 5]]);
  assert.deepEqual(confusionMatrix([1, 0, 1, 0], [1, 1, 0, 0]), [[1, 1], [1, 1]]);
  assert.deepEqual(confusionMatrix([], []), [[0, 0], [0, 0]]);
});

test("binaryMetrics: accuracy, precision, recall, specificity, f1 by hand", () => {
  const m = binaryMetrics(probs, labels, 0.5);
  assert.deepEqual(m.confusionMatrix, [[4, 3], [1, 5]]);
  close(m.accuracy, 9 / 13, "accuracy");
  close(m.precision, 5 / 8, "precision");
  close(m.recall, 5 / 6, "recall");
  close(m.specificity, 4 / 7, "specificity");
  close(m.f1, 5 / 7, "f1"); // 2PR/(P+R) = 2·(5/8)(5/6)/(5/8+5/6) = 5/7
  close(m.auc, 33 / 42, "auc"); // 33 of the 42 pairs ranked right
  assert.deepEqual(m.support, { negative: 7, positive: 6 });
  assert.equal(m.threshold, 0.5);
});

test("binaryMetrics: the threshold is inclusive (p >= t is positive)", () => {
  const m = binaryMetrics(Float32Array.from([0.5, 0.4]), [1, 0], Math.fround(0.5));
  assert.deepEqual(m.confusionMatrix, [[1, 0], [0, 1]]);
});

test("binaryMetrics: 0/0 is 0 and no NaN anywhere; JSON round-trips", () => {
  // Nothing predicted positive and no positives at all.
  const m = binaryMetrics([0.1, 0.2, 0.3], [0, 0, 0], 0.5);
  assert.equal(m.precision, 0);
  assert.equal(m.recall, 0);
  assert.equal(m.f1, 0);
  assert.equal(m.specificity, 1);
  assert.equal(m.accuracy, 1);
  assert.equal(m.auc, null);
  const empty = binaryMetrics([], [], 0.5);
  assert.equal(empty.accuracy, 0);
  for (const x of [m, empty]) {
    const json = JSON.stringify(x);
    assert.ok(!/NaN|Infinity/.test(json), json);
    assert.deepEqual(JSON.parse(json), x);
  }
});

test("auc: perfect, inverse, all tied, ties counted half", () => {
  assert.equal(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]), 1);
  assert.equal(auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0);
  assert.equal(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
  // pos {0.8, 0.5}, neg {0.5, 0.2}: pairs 1 + 1 + ½ + 1 = 3.5 of 4.
  assert.equal(auc([0.8, 0.5, 0.5, 0.2], [1, 1, 0, 0]), 0.875);
  // pos {0.6, 0.6}, neg {0.6, 0.3, 0.6}: 0.5+1+0.5 twice = 4 of 6.
  close(auc([0.6, 0.6, 0.6, 0.3, 0.6], [1, 1, 0, 0, 0]), 4 / 6);
});

test("auc: null when one class is absent", () => {
  assert.equal(auc([0.1, 0.9], [1, 1]), null);
  assert.equal(auc([0.1, 0.9], [0, 0]), null);
  assert.equal(auc([], []), null);
});

test("auc equals the pairwise Mann–Whitney probability on random data with many ties", () => {
  const rng = createRng(11);
  for (let trial = 0; trial < 20; trial++) {
    const n = 5 + Math.floor(rng() * 60);
    const s = Float32Array.from({ length: n }, () => Math.round(rng() * 8) / 8);
    const y = Uint8Array.from({ length: n }, (_, i) => (i < 2 ? i : rng() < 0.4 ? 1 : 0));
    close(auc(s, y), pairwiseAuc(s, y), `trial ${trial}`);
  }
});

test("auc rejects non-finite scores and mismatched lengths", () => {
  assert.throws(() => auc([NaN, 0.2], [1, 0]), RangeError);
  assert.throws(() => auc([0.1], [1, 0]), RangeError);
  assert.throws(() => auc([0.1, 0.2], [1, 2]), RangeError);
});

test("rocCurve: ties grouped into one diagonal step, hand-computed", () => {
  const roc = rocCurve([0.8, 0.5, 0.5, 0.2], [1, 1, 0, 0]);
  assert.deepEqual(roc.fpr, [0, 0, 0.5, 1]);
  assert.deepEqual(roc.tpr, [0, 0.5, 1, 1]);
  assert.deepEqual(roc.thresholds, [1.8, 0.8, 0.5, 0.2]);
});

test("rocCurve: starts at (0,0), ends at (1,1), monotone; trapezoid area equals auc", () => {
  const rng = createRng(3);
  for (let trial = 0; trial < 10; trial++) {
    const n = 10 + Math.floor(rng() * 50);
    const s = Float32Array.from({ length: n }, () => Math.round(rng() * 20) / 20);
    const y = Uint8Array.from({ length: n }, (_, i) => (i < 2 ? i : rng() < 0.3 ? 1 : 0));
    const { fpr, tpr, thresholds } = rocCurve(s, y);
    assert.equal(fpr.length, tpr.length);
    assert.equal(fpr.length, thresholds.length);
    assert.deepEqual([fpr[0], tpr[0]], [0, 0]);
    assert.deepEqual([fpr[fpr.length - 1], tpr[tpr.length - 1]], [1, 1]);
    let area = 0;
    for (let i = 1; i < fpr.length; i++) {
      assert.ok(fpr[i] >= fpr[i - 1] && tpr[i] >= tpr[i - 1], "monotone");
      assert.ok(thresholds[i] < thresholds[i - 1], "thresholds strictly decreasing");
      area += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
    }
    close(auc(s, y), area, "trapezoid");
    // Each point is what thresholding at its threshold gives.
    const k = Math.floor(fpr.length / 2);
    const m = binaryMetrics(s, y, thresholds[k]);
    close(m.recall, tpr[k]);
    close(1 - m.specificity, fpr[k]);
  }
});

test("rocCurve: one class absent gives rates of 0 for it, never NaN", () => {
  const roc = rocCurve([0.3, 0.7], [1, 1]);
  assert.deepEqual(roc.fpr, [0, 0, 0]);
  assert.deepEqual(roc.tpr, [0, 0.5, 1]);
  assert.ok(!JSON.stringify(roc).includes("null"));
});
