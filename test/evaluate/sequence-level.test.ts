import { test } from "node:test";
import assert from "node:assert/strict";
import { sequenceErrors, sequenceMetrics, sequenceScores } from "../../lib/evaluate/sequence-level";
import { evaluateAll } from "../../lib/evaluate";

// Sequences: fall-01 and fall-02 are falls, adl-01/02/03 are not; adl-03 has no windows.
//   fall-01 windows 0.1 0.7 0.3 → max 0.7   detected at 0.5
//   fall-02 windows 0.2 0.4     → max 0.4   missed
//   adl-01  windows 0.6 0.1     → max 0.6   false alarm
//   adl-02  windows 0.05        → max 0.05  correct
const windows = {
  seq: Int32Array.from([0, 0, 0, 1, 1, 2, 2, 3]),
  sequenceIds: ["fall-01", "fall-02", "adl-01", "adl-02", "adl-03"],
  sequenceIsFall: Uint8Array.from([1, 1, 0, 0, 0]),
  y: Float32Array.from([0, 1, 1, 0, 1, 0, 0, 0]),
};
const probs = Float32Array.from([0.1, 0.7, 0.3, 0.2, 0.4, 0.6, 0.1, 0.05]);

test("sequenceScores: max window probability, only sequences with windows", () => {
  const s = sequenceScores(probs, windows);
  assert.deepEqual(s.ids, ["fall-01", "fall-02", "adl-01", "adl-02"]);
  assert.deepEqual(s.seqIndex, [0, 1, 2, 3]);
  assert.deepEqual(s.scores, Float32Array.from([0.7, 0.4, 0.6, 0.05]));
  assert.deepEqual(s.labels, Uint8Array.from([1, 1, 0, 0]));
});

test("sequenceScores: order follows sequenceIds, not window order", () => {
  const s = sequenceScores([0.9, 0.2, 0.3], { ...windows, seq: Int32Array.from([3, 0, 3]) });
  assert.deepEqual(s.ids, ["fall-01", "adl-02"]);
  assert.deepEqual(s.scores, Float32Array.from([0.2, 0.9]));
});

test("sequenceMetrics: a fall counts as detected if any window reaches the threshold", () => {
  const m = sequenceMetrics(probs, windows, 0.5);
  assert.deepEqual(m.confusionMatrix, [[1, 1], [1, 1]]);
  assert.equal(m.recall, 0.5);
  assert.equal(m.auc, 0.75); // pos {0.7, 0.4} vs neg {0.6, 0.05}: 3 of 4 pairs
  assert.deepEqual(m.support, { negative: 2, positive: 2 });
  // A window exactly at the threshold is enough.
  const atThreshold = sequenceMetrics(probs, windows, Math.fround(0.4));
  assert.deepEqual(atThreshold.confusionMatrix, [[1, 1], [0, 2]]);
});

test("sequenceErrors: missed falls and false alarms by id", () => {
  assert.deepEqual(sequenceErrors(probs, windows, 0.5), { missedFalls: ["fall-02"], falseAlarms: ["adl-01"] });
  assert.deepEqual(sequenceErrors(probs, windows, 0.99), { missedFalls: ["fall-01", "fall-02"], falseAlarms: [] });
  assert.deepEqual(sequenceErrors(probs, windows, 0.01), { missedFalls: [], falseAlarms: ["adl-01", "adl-02"] });
});

test("sequence level validates its inputs", () => {
  assert.throws(() => sequenceScores(probs.subarray(1), windows), /length/);
  assert.throws(() => sequenceScores([0.5], { ...windows, seq: Int32Array.from([7]) }), /out of range/);
  assert.throws(() => sequenceScores([NaN], { ...windows, seq: Int32Array.from([0]) }), /non-finite/);
});

test("evaluateAll: window and sequence metrics plus error lists, JSON-safe", () => {
  const e = evaluateAll(probs, windows, 0.5);
  // Windows: labels 0 1 1 0 1 0 0 0, predicted 0 1 0 0 0 1 0 0 → tn 4, fp 1, fn 2, tp 1.
  assert.deepEqual(e.window.confusionMatrix, [[4, 1], [2, 1]]);
  assert.deepEqual(e.sequence.confusionMatrix, [[1, 1], [1, 1]]);
  assert.deepEqual(e.missedFalls, ["fall-02"]);
  assert.deepEqual(e.falseAlarms, ["adl-01"]);
  assert.equal(e.window.threshold, 0.5);
  const json = JSON.stringify(e);
  assert.ok(!/NaN|Infinity/.test(json));
  assert.deepEqual(JSON.parse(json), e);
});
