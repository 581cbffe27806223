// The window-mix study's pure parts: two scorings fused frame by frame by their mean log-odds, and issue 15's figures
// of scored recordings (alarms at 0.5, the recording's most fall-like window, the window AUC on reference windows).
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkSplit, figuresOf, fuse, ScoredRecording, splitReplay } from "../../lib/detect/window-mix-study";
import { joinAgreeing, joinAgreeingMean } from "../../lib/evaluate/member-combine";
import type { DatasetReplay } from "../../lib/detect/replay-dataset";

const rec = (id: string, isFall: boolean, frames: number[], scores: number[], seg: [number, number] | null = null): ScoredRecording =>
  ({ id, isFall, fallingSegment: seg, firstFrame: frames[0], lastFrame: frames[frames.length - 1], frames, scores });

test("fuse: the mean log-odds frame by frame; other recordings or other frames are an error", () => {
  const a = [rec("fall-01", true, [16, 17, 18], [0.2, 0.8, 0.5])];
  const b = [rec("fall-01", true, [16, 17, 18], [0.2, 0.2, 0.9])];
  const f = fuse(a, b)[0];
  assert.equal(f.scores[0], Math.fround(0.2));
  // logit(0.8) = −logit(0.2): their mean is 0, probability 0.5 (the threshold: an alarm).
  assert.equal(f.scores[1], 0.5);
  assert.ok(f.scores[2] > 0.5 && f.scores[2] < 0.9);
  assert.throws(() => fuse(a, [rec("fall-02", true, [16, 17, 18], [0, 0, 0])]), /fall-01 is scored by one detector only/);
  assert.throws(() => fuse(a, [rec("fall-01", true, [17, 18, 19], [0, 0, 0])]), /fall-01: the two detectors score other frames/);
  assert.throws(() => fuse(a, []), /1 recordings against 0/);
  // "min": an alarm needs both.
  assert.deepEqual(fuse(a, b, "min")[0].scores, [0.2, 0.2, 0.5]);
  // "min-agree": min's side of 0.5, the mean log-odds where both agree.
  const g = fuse(a, b, "min-agree")[0].scores;
  assert.deepEqual([g[0], g[1]], [0.2, 0.2], "two 0.2s: their mean log-odds, kept at most the higher; 0.8 and 0.2 disagree: the lower");
  assert.ok(g[2] > 0.5 && g[2] < 0.9 && g[2] === f.scores[2]);
  // A hold of 1 frame: at frame 18 a's 0.8 of frame 17 and b's 0.9 join to 0.8, an alarm: the score is lifted to 0.5 (unheld, min(0.5, 0.9) = 0.5 already).
  const c = [rec("fall-01", true, [16, 17, 18], [0.2, 0.8, 0.4])];
  assert.deepEqual(fuse(c, b, "min", 1)[0].scores, [0.2, 0.2, 0.5]);
  assert.deepEqual(fuse(c, b, "min", 0)[0].scores, [0.2, 0.2, 0.4]);
  // Unheld scores above 0.5 stay as they are; below, the held join lifts no higher than 0.5.
  assert.deepEqual(fuse([rec("fall-01", true, [16, 17], [0.9, 0.8])], [rec("fall-01", true, [16, 17], [0.7, 0.95])], "min", 1)[0].scores, [0.7, 0.8]);
  // The second's level at 0.4: its 0.45 now passes (0.5 + 0.5 · 0.05 / 0.6), so "min" alarms where a passes; at 0.5 it does not.
  const d = [rec("fall-01", true, [16, 17], [0.2, 0.45])];
  const e = [rec("fall-01", true, [16, 17], [0.6, 0.7])];
  assert.deepEqual(fuse(e, d, "min")[0].scores.map((x) => x >= 0.5), [false, false]);
  assert.deepEqual(fuse(e, d, "min", 0, 0.4)[0].scores.map((x) => x >= 0.5), [false, true]);
  assert.ok(Math.abs(fuse(e, d, "min", 0, 0.4)[0].scores[1] - (0.5 + (0.5 * 0.05) / 0.6)) < 1e-6);
  assert.deepEqual(fuse(e, d, "min", 0, 0.5)[0].scores, fuse(e, d, "min")[0].scores, "0.5 is the second's own threshold");
  assert.throws(() => fuse(e, d, "min", 0, 0.6), /the second window's level must be an aligned score in \(0, 0.5\], got 0.6/);
  // The first's level at 0.49: a first score of 0.499 (seed 61's fall-20) passes where the second does; at 0.5 it does not.
  const low = [rec("fall-01", true, [16, 17], [0.3, 0.499])];
  const s = [rec("fall-01", true, [16, 17], [0.2, 0.7])];
  assert.deepEqual(fuse(low, s, "min")[0].scores.map((x) => x >= 0.5), [false, false]);
  assert.deepEqual(fuse(low, s, "min", 0, 0.5, 0.49)[0].scores.map((x) => x >= 0.5), [false, true]);
  assert.equal(fuse(low, s, "min", 0, 0.5, 0.49)[0].scores[1], Math.fround(0.5 + (0.5 * 0.009) / 0.51));
  assert.throws(() => fuse(low, s, "min", 0, 0.5, 0), /the first window's level must be an aligned score in \(0, 0.5\], got 0/);
});

test("fuse by min-agree-mean: joinAgreeingMean frame by frame", () => {
  const f = fuse([rec("fall-01", true, [16, 17], [0.9, 0.2])], [rec("fall-01", true, [16, 17], [0.3, 0.1])], "min-agree-mean")[0].scores;
  assert.deepEqual(f, [joinAgreeingMean(0.9, 0.3), joinAgreeing(0.2, 0.1)]);
});

test("figuresOf: falls found, ADLs right, recording AUC from each recording's top window, delays, false alarms, window AUC on the reference", () => {
  const recs = [
    rec("fall-01", true, [16, 17, 18, 19], [0.1, 0.3, 0.7, 0.9], [15, 20]),
    rec("fall-02", true, [16, 17, 18, 19], [0.1, 0.2, 0.3, 0.4], [16, 19]),
    rec("adl-01", false, [16, 17, 18, 19], [0.1, 0.6, 0.2, 0.1]),
    rec("adl-02", false, [16, 17, 18, 19], [0.1, 0.1, 0.2, 0.1]),
  ];
  // Reference windows ending on frames 18 and 19 of fall-01 (falls) and 18 of each ADL (not).
  const reference = { count: 4, seq: Int32Array.from([0, 0, 1, 2]), lastFrame: Int32Array.from([18, 19, 18, 18]), sequenceIds: ["fall-01", "adl-01", "adl-02"], y: Float32Array.from([1, 1, 0, 0]) };
  const { figures, falseAlarmIds } = figuresOf(recs, reference);
  assert.deepEqual(falseAlarmIds, ["adl-01"]);
  assert.equal(figures.fallsFound, 1);
  assert.equal(figures.fallRecordings, 2);
  assert.equal(figures.adlsRight, 1);
  assert.equal(figures.adlRecordings, 2);
  // Top windows: falls 0.9 and 0.4, ADLs 0.6 and 0.2: 3 of 4 pairs in order.
  assert.equal(figures.recordingAuc, 0.75);
  // fall-01's first alarm at frame 18: 3 frames after its segment starts, 2 before it ends.
  assert.equal(figures.medianDelay, 3);
  assert.equal(figures.maxAfterSegmentEnd, -2);
  assert.equal(figures.falseAlarms, 1);
  assert.equal(figures.windowAuc, 1);
});

test("splitReplay: a two-window replay's frames as its two detectors' scorings; checkSplit re-joins them as the run's config says", () => {
  const base = { id: "fall-01", isFall: true, fallingSegment: [16, 18] as [number, number], firstFrame: 0, lastFrame: 17, rows: 18, phase: 0, threshold: 0.5, alarms: [] };
  const w = (frame: number, first: number, second: number) => ({ frame, probability: 0, score: 0, detectors: { first, second } });
  const replay: DatasetReplay = { ...base, windows: [w(15, 0.2, 0.6), w(16, 0.7, 0.46), w(17, 0.3, 0.2)] };
  const [a, b] = splitReplay(replay)!;
  assert.deepEqual([a.frames, a.scores, b.scores], [[15, 16, 17], [0.2, 0.7, 0.3], [0.6, 0.46, 0.2]]);
  assert.equal(a.id, "fall-01");
  assert.deepEqual(a.fallingSegment, [16, 18]);
  // A one-detector replay has no split; a replay with both kinds of window is an error.
  assert.equal(splitReplay({ ...base, windows: [{ frame: 15, probability: 0.2, score: 0.2 }] }), null);
  assert.throws(() => splitReplay({ ...base, windows: [w(15, 0.2, 0.6), { frame: 16, probability: 0.2, score: 0.2 }] }), /fall-01: some windows carry both detectors' scores and some do not/);
  // The run's own join (min-agree, hold 1, the second at 0.45) re-fused from the split gives its scores; another does not.
  const join = { secondWindowRule: "min-agree", secondWindowHold: 1, secondWindowLevel: 0.45 };
  const joined = fuse([a], [b], "min-agree", 1, 0.45);
  assert.ok(joined[0].scores[1] >= 0.5, "frame 16: 0.7 and the second's 0.46 (over 0.45) alarm together");
  assert.doesNotThrow(() => checkSplit("RUN", join, joined, [[a], [b]]));
  assert.throws(() => checkSplit("RUN", { ...join, secondWindowLevel: 0.5 }, joined, [[a], [b]]), /RUN: fall-01 frame 16: its two detectors joined by min-agree give .*: this study does not join as the detector does/);
  assert.throws(() => checkSplit("RUN", { secondWindowRule: "max" }, joined, [[a], [b]]), /RUN: metrics.json's config has no second-window rule this study knows \(max\)/);
});
