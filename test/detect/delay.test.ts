import { test } from "node:test";
import assert from "node:assert/strict";
import { detectionFigures, RecordingDetection, refractoryFrames } from "../../lib/detect/delay";

const alarm = (frame: number) => ({ frame, timeSec: frame / 30, score: 0.9 });
const rec = (id: string, isFall: boolean, seg: [number, number] | null, alarms: number[], first = 1, last = 300): RecordingDetection => ({
  id, isFall, fallingSegment: seg, firstFrame: first, lastFrame: last, alarms: alarms.map(alarm),
});

test("detectionFigures: delay from the first annotated falling frame to the first alarm, median and max, missed falls", () => {
  const d = detectionFigures(
    [
      rec("fall-1", true, [100, 129], [110, 400]), // 10
      rec("fall-2", true, [50, 79], [45]), // -5: before the segment starts
      rec("fall-3", true, [20, 49], [70]), // 50, 21 after the end
      rec("fall-4", true, [20, 49], []), // missed
      rec("fall-5", true, [20, 49], [40]), // 20
    ],
    { refractorySec: 10 },
  );
  assert.deepEqual(d.delayFrames.perRecording, { "fall-1": 10, "fall-2": -5, "fall-3": 50, "fall-5": 20 });
  assert.equal(d.delayFrames.median, 15, "median of -5, 10, 20, 50");
  assert.equal(d.delayFrames.max, 50);
  assert.equal(d.delayFrames.maxAfterSegmentEnd, 21);
  assert.equal(d.delaySec.median, 0.5);
  assert.equal(d.missedFalls, 1);
  assert.deepEqual(d.missedFallIds, ["fall-4"]);
  assert.equal(d.falseAlarms, 0);
  assert.equal(d.adlHours, 0);
  assert.equal(d.falseAlarmsPerHour, null, "no ADL footage: no rate");
});

test("detectionFigures: every alarm on a daily activity counts, per hour of its footage", () => {
  const d = detectionFigures(
    [rec("adl-1", false, null, [], 1, 5400), rec("adl-2", false, [10, 39], [50, 400], 1, 5400), rec("adl-3", false, null, [7], 1, 10800), rec("fall-1", true, null, [5])],
    { refractorySec: 4, fps: 30 },
  );
  assert.equal(d.falseAlarms, 3);
  assert.deepEqual(d.falseAlarmIds, ["adl-2", "adl-3"]);
  assert.equal(d.adlHours, (5400 + 5400 + 10800) / 30 / 3600); // 0.2 h
  assert.ok(Math.abs(d.falseAlarmsPerHour! - 15) < 1e-9);
  assert.deepEqual(d.fallsWithoutSegment, ["fall-1"], "found, but no delay without an annotated segment");
  assert.equal(d.delayFrames.median, null);
  assert.equal(d.refractorySec, 4);
});

test("refractoryFrames rounds seconds up to whole frames (alarms never closer than asked) and rejects nonsense", () => {
  assert.equal(refractoryFrames(10), 300);
  assert.equal(refractoryFrames(0.51, 30), 16, "15.3 frames: 15 would let alarms come 0.50 s apart");
  assert.equal(refractoryFrames(0.04, 30), 2, "1.2 frames: 1 frame is 0.033 s");
  assert.equal(refractoryFrames(0.1, 30), 3, "0.1 × 30 is 3.0000000000000004 in floats: still 3");
  assert.equal(refractoryFrames(0), 0);
  assert.throws(() => refractoryFrames(-1), /seconds >= 0/);
  assert.throws(() => refractoryFrames(Infinity), /seconds >= 0/);
});
