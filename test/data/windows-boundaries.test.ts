import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_STRIDE, DEFAULT_T, makeWindows, makeWindowsWithReport } from "../../lib/data/windows";
import { rep, tinyDataset } from "./fixtures";

const ds = tinyDataset([
  { id: "fall-01", isFall: true, labels: [...rep(-1, 9), ...rep(0, 5), ...rep(1, 6)] },
  { id: "adl-01", isFall: false, labels: rep(-1, 4), firstFrame: 30 },
  { id: "adl-02", isFall: false, labels: rep(-1, 13), firstFrame: 5 },
]);

test("windows never cross sequences and record seq and lastFrame", () => {
  const { windows: ws, skipped } = makeWindowsWithReport(ds, { T: 5, stride: 3 });
  assert.deepEqual(ws.sequenceIds, ["fall-01", "adl-01", "adl-02"]);
  assert.deepEqual(Array.from(ws.sequenceIsFall), [1, 0, 0]);
  assert.deepEqual(skipped, ["adl-01"]);
  for (let w = 0; w < ws.count; w++) {
    // Fixture values are seqIndex*1000 + row: every row of a window must share the window's seq.
    for (let t = 0; t < ws.T; t++) {
      const v = ws.x[(w * ws.T + t) * ws.F];
      assert.equal(Math.floor(v / 1000), ws.seq[w], `window ${w} row ${t}`);
    }
    const lastRowInSeq = ws.x[(w * ws.T + ws.T - 1) * ws.F] - ws.seq[w] * 1000;
    const firstFrame = ws.seq[w] === 2 ? 5 : 1;
    assert.equal(ws.lastFrame[w], firstFrame + Math.round(lastRowInSeq));
  }
  // End-aligned: the last window of each sequence ends on its last frame.
  const ends = (s: number) => Array.from(ws.lastFrame).filter((_, i) => ws.seq[i] === s);
  assert.deepEqual(ends(0), [5, 8, 11, 14, 17, 20]);
  assert.deepEqual(ends(2), [11, 14, 17]);
  assert.equal(ws.x.length, ws.count * 5 * 24, "8 features + 8 lag-1 + 8 lag-4 differences");
});

test("T and stride must be positive integers; no window at all is an error", () => {
  assert.throws(() => makeWindows(ds, { T: 0 }), /T must be a positive integer, got 0/);
  assert.throws(() => makeWindows(ds, { T: 2.5 }), /T must be a positive integer/);
  assert.throws(() => makeWindows(ds, { stride: -1 }), /stride must be a positive integer, got -1/);
  assert.throws(() => makeWindows(ds, { T: 21 }), /no window of T=21 frames fits in any of the 3 sequences \(longest has 20 frames\)/);
});

test("defaults are T=32, stride 4", () => {
  assert.equal(DEFAULT_T, 32);
  assert.equal(DEFAULT_STRIDE, 4);
  const long = tinyDataset([{ id: "adl-01", isFall: false, labels: rep(-1, 40) }]);
  const ws = makeWindows(long);
  assert.equal(ws.T, 32);
  assert.deepEqual(Array.from(ws.lastFrame), [32, 36, 40]);
});

test("a missing frame makes the diff a per-frame rate", () => {
  const gap = tinyDataset([{ id: "adl-01", isFall: false, labels: rep(-1, 4) }]);
  gap.table.frame.set([1, 2, 4, 5]);
  const ws = makeWindows(gap, { T: 4, stride: 1 });
  // Feature goes 0,1,2,3 over frames 1,2,4,5: diff at frame 4 is (2−1)/2.
  assert.deepEqual([1, 2, 3].map((t) => ws.x[t * 24 + 8]), [1, 0.5, 1]);
  // Lag 4 reaches back to the sequence's first frame: (1−0)/1, (2−0)/3, (3−0)/4.
  assert.deepEqual([1, 2, 3].map((t) => ws.x[t * 24 + 16]), [1, 2 / 3, 0.75].map(Math.fround));
  const lag2 = makeWindows(gap, { T: 4, stride: 1, diffLags: [2] });
  assert.deepEqual([1, 2, 3].map((t) => lag2.x[t * 16 + 8]), [1, 2 / 3, 2 / 3].map(Math.fround), "lag 2: rows 0→1, 0→2, 1→3");
  assert.throws(() => makeWindows(gap, { diffLags: [4, 1] }), /diff lags must be increasing positive integers, got \[4, 1\]/);
});
