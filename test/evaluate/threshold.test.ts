import { test } from "node:test";
import assert from "node:assert/strict";
import { applyThreshold, chooseThreshold, type ChooseThresholdOptions } from "../../lib/evaluate/threshold";

// Toy TRAINING set, sorted by score:
//   0.9+ 0.8+ 0.7+ | 0.6- | 0.4+ | 0.35- 0.2- | 0.15+ | 0.1-
//   youden: J = 0.6 after 0.7 (cut 0.65)  vs 0.55 after 0.4, 0.25 after 0.15
//   f1:     0.75 after 0.7, 0.8 after 0.4 (cut 0.375), 0.727 after 0.35, 0.769 after 0.15
//   full sensitivity: the last positive is 0.15, next score down 0.1 → cut 0.125
const trainProbs = [0.9, 0.8, 0.7, 0.6, 0.4, 0.35, 0.2, 0.15, 0.1];
const trainLabels = [1, 1, 1, 0, 1, 0, 0, 1, 0];

test("applyThreshold: p >= t → 1", () => {
  assert.deepEqual(applyThreshold(Float32Array.from([0.1, 0.5, 0.9]), 0.5), Uint8Array.from([0, 1, 1]));
  assert.deepEqual(applyThreshold([0.1, 0.5, 0.9]), Uint8Array.from([0, 1, 1]));
  assert.deepEqual(applyThreshold([0.1, 0.5, 0.9], 0.95), Uint8Array.from([0, 0, 0]));
});

test("chooseThreshold: youden picks the midpoint between 0.7 and 0.6", () => {
  assert.equal(chooseThreshold(trainProbs, trainLabels, { criterion: "youden" }), (0.7 + 0.6) / 2);
  assert.equal(chooseThreshold(trainProbs, trainLabels), (0.7 + 0.6) / 2, "youden is the default");
});

test("chooseThreshold: midpoint logit puts the cut at the mean of the two scores' log-odds (the same cut, another place in its gap)", () => {
  // Separated like the pipeline's training recordings: ADLs at most 0.5, falls from 0.99.
  const probs = [0.999, 0.995, 0.99, 0.5, 0.3, 0.1];
  const labels = [1, 1, 1, 0, 0, 0];
  assert.equal(chooseThreshold(probs, labels), (0.99 + 0.5) / 2, "probability midpoint by default");
  const t = chooseThreshold(probs, labels, { midpoint: "logit" });
  const logOdds = (p: number) => Math.log(p / (1 - p));
  assert.ok(Math.abs(logOdds(t) - (logOdds(0.99) + logOdds(0.5)) / 2) < 1e-12, `log-odds of ${t}`);
  assert.ok(t > 0.9 && t < 0.99, `${t} is nearer the falls than 0.745`);
  assert.equal(chooseThreshold(trainProbs, trainLabels, { midpoint: "logit" }), 1 / (1 + Math.exp(-(logOdds(0.7) + logOdds(0.6)) / 2)), "Youden's cut is kept");
  assert.throws(() => chooseThreshold(probs, labels, { midpoint: "median" as never }), /unknown midpoint "median"/);
});

test("chooseThreshold: midpointAt places the threshold that far up the same gap, in its scale (0.5: the midpoint, bit for bit)", () => {
  const probs = [0.999, 0.995, 0.99, 0.5, 0.3, 0.1];
  const labels = [1, 1, 1, 0, 0, 0];
  const logOdds = (p: number) => Math.log(p / (1 - p));
  for (const midpoint of ["probability", "logit"] as const) {
    assert.equal(chooseThreshold(probs, labels, { midpoint, midpointAt: 0.5 }), chooseThreshold(probs, labels, { midpoint }), `${midpoint}: 0.5 is the midpoint`);
    const [lo, mid, hi] = [0.3, 0.5, 0.7].map((at) => chooseThreshold(probs, labels, { midpoint, midpointAt: at }));
    assert.ok(0.5 < lo && lo < mid && mid < hi && hi < 0.99, `${midpoint}: ${lo} < ${mid} < ${hi} inside the gap 0.5..0.99`);
  }
  assert.ok(Math.abs(chooseThreshold(probs, labels, { midpointAt: 0.7 }) - (0.5 + 0.7 * 0.49)) < 1e-12);
  const t = chooseThreshold(probs, labels, { midpoint: "logit", midpointAt: 0.7 });
  assert.ok(Math.abs(logOdds(t) - (logOdds(0.5) + 0.7 * (logOdds(0.99) - logOdds(0.5)))) < 1e-12, `log-odds of ${t}`);
  for (const at of [0, 1, -0.1, Number.NaN]) assert.throws(() => chooseThreshold(probs, labels, { midpointAt: at }), /midpointAt must be inside \(0, 1\)/);
});

test("chooseThreshold: f1 picks the midpoint between 0.4 and 0.35", () => {
  assert.equal(chooseThreshold(trainProbs, trainLabels, { criterion: "f1" }), (0.4 + 0.35) / 2);
});

test("chooseThreshold: max specificity at full sensitivity keeps every training fall", () => {
  const t = chooseThreshold(trainProbs, trainLabels, { criterion: "max-specificity-at-full-sensitivity" });
  assert.equal(t, (0.15 + 0.1) / 2);
  const pred = applyThreshold(trainProbs, t);
  trainLabels.forEach((y, i) => y === 1 && assert.equal(pred[i], 1));
});

test("chooseThreshold: the result lies strictly between the two adjacent training scores", () => {
  const p = Float32Array.from(trainProbs);
  for (const criterion of ["youden", "f1", "max-specificity-at-full-sensitivity"] as const) {
    const t = chooseThreshold(p, trainLabels, { criterion });
    const above = Math.min(...Array.from(p).filter((s) => s >= t));
    const below = Math.max(...Array.from(p).filter((s) => s < t));
    assert.ok(below < t && t < above, `${criterion}: ${below} < ${t} < ${above}`);
    assert.equal(t, (above + below) / 2, criterion);
  }
});

test("chooseThreshold: ties in the criterion go to the widest gap", () => {
  // J = 0.5 after 0.9 (gap 0.1 to 0.8) and after 0.3 (gap 0.2 to 0.1): widest gap wins.
  assert.equal(chooseThreshold([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0], { criterion: "youden" }), (0.3 + 0.1) / 2);
});

test("chooseThreshold: when every example must be flagged, the lowest score is returned", () => {
  const t = chooseThreshold([0.5, 0.1], [0, 1], { criterion: "max-specificity-at-full-sensitivity" });
  assert.equal(t, 0.1);
  assert.deepEqual(applyThreshold([0.5, 0.1], t), Uint8Array.from([1, 1]));
});

test("chooseThreshold API: only the given train/validation arrays; test split refused", () => {
  // The signature takes predictions + labels + options and nothing else: no model, no data set
  // handle, so it cannot reach test data by itself.
  assert.equal(chooseThreshold.length, 2);
  const probs = Float32Array.from(trainProbs);
  const labels = Float32Array.from(trainLabels);
  const before = [Array.from(probs), Array.from(labels)];
  const a = chooseThreshold(probs, labels, { criterion: "f1", split: "train" });
  const b = chooseThreshold(probs, labels, { criterion: "f1", split: "validation" });
  assert.equal(a, b);
  assert.deepEqual([Array.from(probs), Array.from(labels)], before, "inputs not modified");
  assert.throws(
    () => chooseThreshold(probs, labels, { criterion: "f1", split: "test" } as unknown as ChooseThresholdOptions),
    /never be tuned on test/,
  );
});

test("chooseThreshold: refuses one-class, mismatched, non-binary or NaN input", () => {
  assert.throws(() => chooseThreshold([0.2, 0.8], [1, 1]), /both classes/);
  assert.throws(() => chooseThreshold([], []), /both classes/);
  assert.throws(() => chooseThreshold([0.2, 0.8], [1]), /length/);
  assert.throws(() => chooseThreshold([0.2, 0.8], [1, 2]), /0\/1/);
  assert.throws(() => chooseThreshold([NaN, 0.8], [1, 0]), /non-finite/);
  assert.throws(() => chooseThreshold([0.2, 0.8], [1, 0], { criterion: "bogus" as "f1" }), /criterion/);
});
