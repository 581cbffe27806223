import { test } from "node:test";
import assert from "node:assert/strict";
import { windowAucOnReference } from "../../lib/detect/window-length-study";
import { auc } from "../../lib/evaluate/metrics";

test("windowAucOnReference: reference labels, scores of the windows ending on the same frame, unmatched ones left out", () => {
  // The run's windows end on frames 24, 28, 32, 36 of "a" and 32 of "b"; the reference's on 32, 36 of "a", 32 of "b".
  const run = { count: 5, seq: Int32Array.from([0, 0, 0, 0, 1]), lastFrame: Int32Array.from([24, 28, 32, 36, 32]), sequenceIds: ["a", "b"] };
  const scores = [0.9, 0.1, 0.8, 0.3, 0.2];
  const reference = { count: 3, seq: Int32Array.from([0, 1, 1]), lastFrame: Int32Array.from([32, 32, 36]), sequenceIds: ["b", "a"], y: Float32Array.from([0, 1, 0]) };
  const r = windowAucOnReference(run, scores, reference);
  assert.equal(r.windows, 3);
  // a@32 (0.8, fall) against b@32 (0.2) and a@36 (0.3): both pairs right.
  assert.equal(r.auc, 1);
  // Labels the other way round make it 0: the labels are the reference's, not the run's.
  assert.equal(windowAucOnReference(run, scores, { ...reference, y: Float32Array.from([1, 0, 1]) }).auc, 0);
  // The same windows on both sides give the plain AUC.
  const self = { ...run, y: Float32Array.from([1, 0, 1, 0, 0]) };
  assert.equal(windowAucOnReference(run, scores, self).auc, auc(scores, self.y));
  assert.throws(() => windowAucOnReference(run, [0.5], reference), /1 scores for 5 windows/);
});
