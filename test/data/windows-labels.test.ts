import { test } from "node:test";
import assert from "node:assert/strict";
import { makeWindows } from "../../lib/data/windows";
import { rep, tinyDataset } from "./fixtures";

test("fall windows are 1 only where they overlap the label-0 segment; ADL windows are always 0", () => {
  // Fall: frames 1–10 not lying, 11–13 falling, 14–20 lying. T=4, stride 2, end-aligned:
  // windows end on frames 20, 18, 16, 14, 12, 10, 8, 6, 4.
  const ds = tinyDataset([
    { id: "fall-01", isFall: true, labels: [...rep(-1, 10), ...rep(0, 3), ...rep(1, 7)] },
    { id: "adl-01", isFall: false, labels: [...rep(-1, 6), ...rep(0, 4), ...rep(1, 6)] },
  ]);
  const ws = makeWindows(ds, { T: 4, stride: 2 });
  const fall = [...Array(ws.count).keys()].filter((i) => ws.seq[i] === 0);
  const got = fall.map((i) => [ws.lastFrame[i], ws.y[i]]);
  assert.deepEqual(got, [
    [4, 0], [6, 0], [8, 0], [10, 0],
    [12, 1], // frames 9–12 include 11, 12
    [14, 1], // 11–14
    [16, 1], // 13–16 include 13
    [18, 0], // 15–18 all lying
    [20, 0],
  ]);
  const adl = [...Array(ws.count).keys()].filter((i) => ws.seq[i] === 1);
  assert.ok(adl.length > 0);
  for (const i of adl) assert.equal(ws.y[i], 0, `ADL window ending at ${ws.lastFrame[i]}`);
});

test("the label column is never an input; features and diffs are", () => {
  const ds = tinyDataset([{ id: "fall-01", isFall: true, labels: [...rep(-1, 3), ...rep(0, 3), ...rep(1, 3)] }]);
  const ws = makeWindows(ds, { T: 3, stride: 3 });
  assert.equal(ws.F, 24);
  assert.deepEqual(ws.featureNames.slice(0, 8), ["HeightWidthRatio", "MajorMinorRatio", "BoundingBoxOccupancy", "MaxStdXZ", "HHmaxRatio", "H", "D", "P40"]);
  assert.deepEqual(ws.featureNames.slice(8, 16), ["dHeightWidthRatio", "dMajorMinorRatio", "dBoundingBoxOccupancy", "dMaxStdXZ", "dHHmaxRatio", "dH", "dD", "dP40"]);
  assert.deepEqual(ws.featureNames.slice(16), ["d4HeightWidthRatio", "d4MajorMinorRatio", "d4BoundingBoxOccupancy", "d4MaxStdXZ", "d4HHmaxRatio", "d4H", "d4D", "d4P40"]);
  // Window 0 = rows 0..2: features t + j/10, diffs (per frame, lag 1 and lag 4) 0 at the sequence's first frame, then 1.
  for (let t = 0; t < 3; t++) {
    for (let j = 0; j < 8; j++) assert.ok(Math.abs(ws.x[t * 24 + j] - (t + j / 10)) < 1e-5);
    for (let j = 0; j < 16; j++) assert.ok(Math.abs(ws.x[t * 24 + 8 + j] - (t === 0 ? 0 : 1)) < 1e-5);
  }
  // Window 1 starts at row 3: its first diff is the change from row 2, not 0.
  assert.ok(Math.abs(ws.x[3 * 24 + 8] - 1) < 1e-5);
  const plain = makeWindows(ds, { T: 3, stride: 3, withDiffs: false });
  assert.equal(plain.F, 8);
  assert.equal(plain.featureNames.length, 8);
});
