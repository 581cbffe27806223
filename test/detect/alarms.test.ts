import { test } from "node:test";
import assert from "node:assert/strict";
import { alarmLogic, recordingAlarms } from "../../lib/detect/alarms";
import { smoothScores } from "../../lib/evaluate/smoothing";
import { createRng } from "../../lib/random";

const base = { threshold: 0.5, smooth: 1, refractoryFrames: 0, fps: 30 };

test("alarmLogic's smoothing equals smoothScores bit for bit (k = 1, 2, 3, 5) on one recording", () => {
  const rng = createRng(4);
  const n = 200;
  const probs = Float32Array.from({ length: n }, () => rng());
  const frames = Array.from({ length: n }, (_, i) => 31 + 4 * i);
  const windows = { count: n, seq: new Int32Array(n), lastFrame: Int32Array.from(frames) };
  for (const k of [1, 2, 3, 5]) {
    const { scores } = recordingAlarms(frames, probs, { ...base, smooth: k });
    assert.deepEqual(scores, smoothScores(probs, windows, k), `k = ${k}`);
  }
});

test("an alarm when the smoothed score reaches the threshold (>=), not before", () => {
  // mean of 2: 0.2, 0.4, 0.6 (alarm), ...
  const { scores, alarms } = recordingAlarms([10, 14, 18], [0.2, 0.6, 0.6], { ...base, smooth: 2, threshold: 0.6 });
  assert.deepEqual(Array.from(scores), [Math.fround(0.2), Math.fround(0.4), Math.fround(0.6)]);
  assert.deepEqual(alarms, [{ frame: 18, timeSec: 18 / 30, score: Math.fround(0.6) }]);
});

test("the refractory period: one alarm per crossing within it, a new one once it has passed", () => {
  const frames = [0, 4, 8, 12, 16, 20, 24, 28];
  const probs = [0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9];
  assert.deepEqual(recordingAlarms(frames, probs, { ...base, refractoryFrames: 0 }).alarms.map((a) => a.frame), [0, 4, 12, 16, 20, 24, 28], "no refractory: every window above");
  assert.deepEqual(recordingAlarms(frames, probs, { ...base, refractoryFrames: 12 }).alarms.map((a) => a.frame), [0, 12, 24], "12 frames apart at least");
  assert.deepEqual(recordingAlarms(frames, probs, { ...base, refractoryFrames: 1000 }).alarms.map((a) => a.frame), [0], "one alarm");
});

test("reset forgets the smoothing window and the refractory period", () => {
  const logic = alarmLogic({ ...base, smooth: 3, refractoryFrames: 1000 });
  assert.ok(logic.step(5, 0.9).alarm);
  assert.equal(logic.step(9, 0.9).alarm, null, "within the refractory period");
  logic.reset();
  const s = logic.step(1, 0.3);
  assert.equal(s.score, Math.fround(0.3), "the earlier windows are forgotten");
  assert.ok(logic.step(2, 0.9).score < 0.9);
  logic.reset();
  assert.ok(logic.step(3, 0.95).alarm, "a new recording may alarm at once");
});

test("alarmLogic rejects bad settings and out-of-order or non-finite input", () => {
  assert.throws(() => alarmLogic({ ...base, threshold: 1.5 }), /threshold must be in \[0, 1\]/);
  assert.throws(() => alarmLogic({ ...base, smooth: 0 }), /positive integer/);
  assert.throws(() => alarmLogic({ ...base, refractoryFrames: -1 }), /refractory/);
  assert.throws(() => alarmLogic({ ...base, fps: 0 }), /fps must be positive/);
  const logic = alarmLogic(base);
  logic.step(10, 0.1);
  assert.throws(() => logic.step(10, 0.1), /frames must increase: frame 10 after 10/);
  assert.throws(() => logic.step(11, NaN), /not a finite number/);
  assert.throws(() => recordingAlarms([1, 2], [0.1], base), /2 frames for 1 probabilities/);
});
