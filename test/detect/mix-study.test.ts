// The mix study's pieces: windows matched by recording and last frame, the padded run's members added on the base's
// windows, the window AUC judged on the --stride grid's full windows, the per-goal summary.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { WindowSet } from "../../lib/types";
import type { RescoredFold } from "../../lib/detect/rescore-run";
import type { RuleOutcome } from "../../lib/detect/rule-study";
import { alignWindows, mixFold, onGrid, summary } from "../../lib/detect/mix-study";

function ws(ids: string[], seq: number[], lastFrame: number[]): WindowSet {
  return { count: seq.length, T: 4, F: 1, x: new Float32Array(seq.length * 4), y: new Float32Array(seq.length), seq: Int32Array.from(seq), lastFrame: Int32Array.from(lastFrame), sequenceIds: ids, sequenceIsFall: new Uint8Array(ids.length), featureNames: ["a"] };
}

test("alignWindows finds each window by recording and last frame, whatever the order and extra windows", () => {
  // The padded run's windows: fall-01 ending at 8, 9, 10 (8 and 9 padded), adl-01 at 6 (padded) and 7.
  const pad = ws(["adl-01", "fall-01"], [1, 1, 1, 0, 0], [8, 9, 10, 6, 7]);
  assert.deepEqual(alignWindows(ws(["fall-01", "adl-01"], [0, 1], [10, 7]), pad, "t"), [2, 4]);
  assert.deepEqual(alignWindows(ws(["adl-01", "fall-01"], [0, 1, 1], [7, 9, 8]), pad, "t"), [4, 1, 0]);
  assert.throws(() => alignWindows(ws(["fall-01"], [0], [11]), pad, "fold 1, test side"), /fold 1, test side: window fall-01@11 is not among the windows it is matched with/);
});

test("mixFold adds the padded members, picked on the base's own windows, to the base's members", () => {
  const fold = (train: WindowSet, test: WindowSet, trainMembers: number[][], testMembers: number[][]): RescoredFold => ({
    fold: 1, threshold: 0.5, train, test, trainMembers: trainMembers.map((m) => Float32Array.from(m)), testMembers: testMembers.map((m) => Float32Array.from(m)),
  });
  const base = fold(ws(["a"], [0, 0], [5, 6]), ws(["b"], [0], [9]), [[0.1, 0.2]], [[0.3]]);
  const pad = fold(ws(["a"], [0, 0, 0], [4, 5, 6]), ws(["b"], [0, 0], [8, 9]), [[0.7, 0.8, 0.9]], [[0.4, 0.6]]);
  const m = mixFold(base, pad);
  assert.deepEqual(m.trainMembers.map((x) => Array.from(x)), [[0.1, 0.2], [0.8, 0.9]].map((r) => r.map((v) => Math.fround(v))));
  assert.deepEqual(m.testMembers.map((x) => Array.from(x)), [[Math.fround(0.3)], [Math.fround(0.6)]]);
  assert.equal(m.test, base.test);
  assert.throws(() => mixFold(base, { ...pad, fold: 2 }), /folds 1 and 2: not one fold/);
});

test("onGrid judges the window AUC on the --stride grid's full windows; summary counts goals per seed", () => {
  const o = (windowAuc: number, grid: number, falseAlarms: number): RuleOutcome => ({
    rule: "r", thresholds: [], fullWindowAuc: windowAuc, gridWindowAuc: grid, falseAlarmIds: [], missedFallIds: [],
    figures: { fallsFound: 30, fallRecordings: 30, adlsRight: 40 - falseAlarms, adlRecordings: 40, recordingAuc: 1, windowAuc, medianDelay: 14, maxAfterSegmentEnd: 5, falseAlarms },
  });
  const g = onGrid(o(0.96, 0.975, 1));
  assert.equal(g.figures.windowAuc, 0.975);
  assert.equal(g.fullWindowAuc, 0.96, "its own windows' AUC is kept beside it");
  const lines = summary([{ seed: 3, alone: onGrid(o(0.96, 0.965, 1)), mix: onGrid(o(0.96, 0.975, 1)) }, { seed: 4, alone: onGrid(o(0.96, 0.975, 1)), mix: onGrid(o(0.96, 0.975, 2)) }]);
  assert.match(lines[1], /windowAuc 1, .*falseAlarms 2; 13 goals; all seven on seeds 4$/);
  assert.match(lines[2], /adls 1, .*windowAuc 2, .*falseAlarms 1; 12 goals; all seven on seeds 3$/, "two false alarms miss the ADL goal too");
  assert.equal(lines[3], "the six against the detector alone: more goals on seeds 3; fewer on seeds 4");
});
