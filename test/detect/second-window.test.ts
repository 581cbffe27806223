import { test } from "node:test";
import assert from "node:assert/strict";
import { HeldJoin, joinAgreeing, joinAgreeingMean, joinAligned, joinRule, joinSecondWindow, secondWindowDir, joinHeld, ScoreHold } from "../../lib/detect/second-window";
import { logitMeanOf } from "../../lib/evaluate/member-combine";
import { alignToThreshold } from "../../lib/evaluate/align";

const placed = (ends: [number, number][]) => ({ count: ends.length, seq: Int32Array.from(ends, (e) => e[0]), lastFrame: Int32Array.from(ends, (e) => e[1]), sequenceIds: ["fall-01", "adl-01"] });

test("joinSecondWindow: each window the lower of its two aligned scores, matched by recording and last frame; other frames refused", () => {
  const first = { windows: placed([[0, 10], [0, 11], [1, 10]]), scores: Float32Array.from([0.9, 0.4, 0.6]) };
  // The second detector's windows in another order: matched by (recording, frame), not by position.
  const second = { windows: placed([[1, 10], [0, 11], [0, 10]]), scores: Float32Array.from([0.7, 0.8, 0.55]) };
  assert.deepEqual(Array.from(joinSecondWindow(first, second, "fold 1", "min")), [0.55, 0.4, 0.6].map(Math.fround));
  assert.throws(() => joinSecondWindow(first, { windows: placed([[1, 10], [0, 12], [0, 10]]), scores: second.scores }, "fold 1", "min"), /fold 1 \(second window\): window fall-01@11 is not among/);
  assert.throws(() => joinSecondWindow(first, { windows: placed([[1, 10], [0, 11]]), scores: Float32Array.from([0.7, 0.8]) }, "fold 2", "min"), /fold 2: the second window's detector scores 2 windows, the first 3/);
  assert.equal(secondWindowDir(48), "window-48");
  // Held 1 frame: fall-01's windows are held in frame order (10 then 11), whatever their order in the set.
  const late = { windows: placed([[0, 11], [0, 10], [1, 10]]), scores: Float32Array.from([0.4, 0.9, 0.6]) };
  const lateSecond = { windows: placed([[0, 10], [0, 11], [1, 10]]), scores: Float32Array.from([0.3, 0.8, 0.7]) };
  // Frame 11: first 0.4 (held 0.9), second 0.8 (held 0.8): the held join passes, the score is lifted to 0.5. Frame 10: held = unheld.
  assert.deepEqual(Array.from(joinSecondWindow(late, lateSecond, "fold 1", "min", 1)), [0.5, 0.3, 0.6].map(Math.fround));
  assert.deepEqual(Array.from(joinSecondWindow(late, lateSecond, "fold 1", "min")), [0.4, 0.3, 0.6].map(Math.fround));
});

test("joinAgreeing: the mean log-odds where both scores sit on one side of 0.5, the lower where they disagree: it reaches 0.5 exactly where both do", () => {
  const near = (x: number, y: number) => Math.abs(x - y) < 1e-6;
  assert.ok(near(joinAgreeing(0.8, 0.9), 1 / (1 + Math.sqrt((0.2 / 0.8) * (0.1 / 0.9)))), "both above: their mean log-odds");
  assert.ok(near(joinAgreeing(0.1, 0.2), 1 / (1 + Math.sqrt((0.9 / 0.1) * (0.8 / 0.2)))), "both below: their mean log-odds");
  assert.equal(joinAgreeing(0.9, 0.3), 0.3, "they disagree: the lower");
  assert.equal(joinAgreeing(0.5, 0.5), 0.5);
  // Against min over a grid: the same side of 0.5 everywhere, and the ranking differs somewhere.
  let differs = false;
  for (let i = 1; i < 100; i++) {
    for (let j = 1; j < 100; j++) {
      const [a, b] = [i / 100, j / 100];
      assert.equal(joinAgreeing(a, b) >= 0.5, joinAligned(a, b) >= 0.5, `${a}, ${b}`);
      if (joinAgreeing(a, b) !== joinAligned(a, b)) differs = true;
    }
  }
  assert.ok(differs);
});

/** One recording's aligned scores held for `hold` frames (ScoreHold over its frames in order). */
function heldScores(frames: readonly number[], scores: readonly number[], hold: number): number[] {
  if (frames.length !== scores.length) throw new RangeError(`heldScores: ${frames.length} frames, ${scores.length} scores`);
  const h = new ScoreHold(hold);
  return frames.map((f, i) => h.push(f, scores[i]));
}

test("heldScores: each frame's highest score over the last `hold` frames by frame number (gaps count), against a direct scan", () => {
  assert.deepEqual(heldScores([1, 2, 3, 4, 5], [0.1, 0.9, 0.2, 0.3, 0.1], 0), [0.1, 0.9, 0.2, 0.3, 0.1]);
  assert.deepEqual(heldScores([1, 2, 3, 4, 5], [0.1, 0.9, 0.2, 0.3, 0.1], 2), [0.1, 0.9, 0.9, 0.9, 0.3]);
  // Frame 9 is 5 frames after 4: the 0.9 of frame 2 no longer holds there.
  assert.deepEqual(heldScores([1, 2, 4, 9], [0.1, 0.9, 0.2, 0.3], 2), [0.1, 0.9, 0.9, 0.3]);
  let x = 7;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const frames: number[] = [];
  for (let f = 0, i = 0; i < 300; i++) frames.push((f += 1 + Math.floor(rnd() * 3)));
  const scores = frames.map(() => rnd());
  for (const hold of [1, 3, 6, 20]) {
    const direct = frames.map((f, i) => Math.max(...scores.filter((_, j) => j <= i && frames[j] >= f - hold)));
    assert.deepEqual(heldScores(frames, scores, hold), direct, `hold ${hold}`);
  }
  assert.throws(() => heldScores([1, 2], [0.1, 0.2], -1), /hold must be a whole number of frames >= 0, got -1/);
  assert.throws(() => heldScores([1, 2], [0.1, 0.2], 1.5), /got 1.5/);
  assert.throws(() => heldScores([2, 2], [0.1, 0.2], 1), /ScoreHold: frame 2 after 2: frames must increase/);
  assert.throws(() => heldScores([1, 2], [0.1], 1), /2 frames, 1 scores/);
});

test("joinHeld: the unheld join, lifted to 0.5 (no higher) where the held scores join to 0.5 or more", () => {
  assert.equal(joinHeld(joinAligned, 0.4, 0.9, 0.8, 0.9), 0.5);
  assert.equal(joinHeld(joinAligned, 0.6, 0.9, 0.8, 0.9), 0.6);
  assert.equal(joinHeld(joinAligned, 0.2, 0.9, 0.3, 0.9), 0.2, "held join under 0.5: the unheld one");
  assert.equal(joinHeld(joinAgreeing, 0.45, 0.3, 0.7, 0.6), 0.5);
});

test("the second's level: its aligned scores mapped as alignToThreshold maps them (float32), held after; 0.5 changes nothing; out of (0, 0.5] refused", () => {
  const first = { windows: placed([[0, 10], [0, 11], [0, 12], [1, 10]]), scores: Float32Array.from([0.7, 0.6, 0.3, 0.9]) };
  const second = { windows: placed([[0, 10], [0, 11], [0, 12], [1, 10]]), scores: Float32Array.from([0.42, 0.3, 0.45, 0.05]) };
  const level = 0.4;
  const moved = { ...second, scores: alignToThreshold(second.scores, level) };
  for (const hold of [0, 1, 6]) {
    for (const rule of ["min", "min-agree", "min-agree-mean"] as const) {
      assert.deepEqual(Array.from(joinSecondWindow(first, second, "fold 1", rule, hold, level)), Array.from(joinSecondWindow(first, moved, "fold 1", rule, hold)), `${rule}, hold ${hold}`);
      assert.deepEqual(Array.from(joinSecondWindow(first, second, "fold 1", rule, hold, 0.5)), Array.from(joinSecondWindow(first, second, "fold 1", rule, hold)));
    }
  }
  // At 0.4 the second's 0.42 passes with the first's 0.7: an alarm at frame 10 that the second's own threshold vetoes.
  assert.ok(joinSecondWindow(first, second, "fold 1", "min", 0, level)[0] >= 0.5);
  assert.ok(joinSecondWindow(first, second, "fold 1", "min", 0)[0] < 0.5);
  for (const bad of [0, 0.6, -0.1, NaN]) assert.throws(() => new HeldJoin(joinAligned, 0, bad), /the second window's level must be an aligned score in \(0, 0.5\]/);
});

test("joinAgreeingMean: min-agree's side of 0.5 on every pair; where the two disagree, their mean log-odds kept below 0.5 instead of the lower", () => {
  const grid = [0.01, 0.2, 0.45, 0.4999, 0.5, 0.5001, 0.6, 0.8, 0.99];
  for (const a of grid) for (const b of grid) assert.equal(joinAgreeingMean(a, b) >= 0.5, joinAgreeing(a, b) >= 0.5, `${a}, ${b}`);
  // Agreeing: min-agree's own score.
  assert.equal(joinAgreeingMean(0.6, 0.8), joinAgreeing(0.6, 0.8));
  assert.equal(joinAgreeingMean(0.2, 0.3), joinAgreeing(0.2, 0.3));
  // Disagreeing: 0.8 and 0.2 have mean log-odds 0 (0.5), kept just below; below 0.5 the mean log-odds itself (min-agree: the lower, 0.1 and 0.3).
  assert.ok(joinAgreeingMean(0.8, 0.2) < 0.5 && joinAgreeingMean(0.8, 0.2) > 0.4999);
  assert.ok(joinAgreeingMean(0.6, 0.1) < joinAgreeingMean(0.55, 0.3));
  assert.equal(joinAgreeingMean(0.6, 0.1), logitMeanOf([0.6, 0.1]));
  assert.equal(joinRule("min-agree-mean"), joinAgreeingMean);
});
