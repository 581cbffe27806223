import { test } from "node:test";
import assert from "node:assert/strict";
import { joinSecondWindow, secondWindowDir } from "../../lib/detect/second-window";

const placed = (ends: [number, number][]) => ({ count: ends.length, seq: Int32Array.from(ends, (e) => e[0]), lastFrame: Int32Array.from(ends, (e) => e[1]), sequenceIds: ["fall-01", "adl-01"] });

test("joinSecondWindow: each window the lower of its two aligned scores, matched by recording and last frame; other frames refused", () => {
  const first = { windows: placed([[0, 10], [0, 11], [1, 10]]), scores: Float32Array.from([0.9, 0.4, 0.6]) };
  // The second detector's windows in another order: matched by (recording, frame), not by position.
  const second = { windows: placed([[1, 10], [0, 11], [0, 10]]), scores: Float32Array.from([0.7, 0.8, 0.55]) };
  assert.deepEqual(Array.from(joinSecondWindow(first, second, "fold 1")), [0.55, 0.4, 0.6].map(Math.fround));
  assert.throws(() => joinSecondWindow(first, { windows: placed([[1, 10], [0, 12], [0, 10]]), scores: second.scores }, "fold 1"), /fold 1 \(second window\): window fall-01@11 is not among/);
  assert.throws(() => joinSecondWindow(first, { windows: placed([[1, 10], [0, 11]]), scores: Float32Array.from([0.7, 0.8]) }, "fold 2"), /fold 2: the second window's detector scores 2 windows, the first 3/);
  assert.equal(secondWindowDir(48), "window-48");
});
