import { test } from "node:test";
import assert from "node:assert/strict";
import { replayedEnds, windowAucOnReference } from "../../lib/detect/window-length-study";
import type { DatasetReplay } from "../../lib/detect/replay-dataset";
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

test("replayedEnds: each replayed window as (recording, last frame), scores aligned to the replay's threshold", () => {
  const replay = (id: string, threshold: number, windows: { frame: number; score: number }[]) =>
    ({ id, isFall: false, fallingSegment: null, firstFrame: 1, lastFrame: 99, rows: 99, phase: 0, threshold, windows: windows.map((w) => ({ ...w, probability: w.score })), alarms: [] }) as unknown as DatasetReplay;
  const r = replayedEnds([replay("a", 0.5, [{ frame: 32, score: 0.7 }, { frame: 33, score: 0.2 }]), replay("b", 0.8, [{ frame: 40, score: 0.8 }, { frame: 41, score: 0.4 }])]);
  assert.deepEqual(r.windows.sequenceIds, ["a", "b"]);
  assert.deepEqual([...r.windows.seq], [0, 0, 1, 1]);
  assert.deepEqual([...r.windows.lastFrame], [32, 33, 40, 41]);
  // "a" is at 0.5 already; "b"'s threshold 0.8 lands on 0.5 and 0.4 on 0.25, as the pipeline pools folds.
  assert.deepEqual([...r.scores].map((x) => Math.round(x * 1e6) / 1e6), [0.7, 0.2, 0.5, 0.25]);
  // Matched against reference windows by end frame: b@40 (fall) above a@33 and b@41.
  const reference = { count: 3, seq: Int32Array.from([0, 0, 1]), lastFrame: Int32Array.from([40, 41, 33]), sequenceIds: ["b", "a"], y: Float32Array.from([1, 0, 0]) };
  assert.deepEqual(windowAucOnReference(r.windows, r.scores, reference), { auc: 1, windows: 3 });
});
