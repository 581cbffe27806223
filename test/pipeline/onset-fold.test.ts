import { test } from "node:test";
import assert from "node:assert/strict";
import { makeWindows } from "../../lib/data/windows";
import { fitScaler, applyScaler } from "../../lib/data/scaler";
import { selectWindows } from "../../lib/data/split";
import { onsetFitWindows } from "../../lib/pipeline/onset-fold";
import { rep, tinyDataset } from "../data/fixtures";

test("onsetFitWindows: the fold's windows first, then onset windows of its training falls that the grid lacks, scaled alike", () => {
  const ds = tinyDataset([
    { id: "fall-01", isFall: true, labels: [...rep(-1, 10), ...rep(0, 3), ...rep(1, 7)] },
    { id: "fall-02", isFall: true, labels: [...rep(-1, 8), ...rep(0, 3), ...rep(1, 9)] },
    { id: "adl-01", isFall: false, labels: rep(-1, 20) },
  ]);
  const opts = { T: 4, stride: 2 };
  const all = makeWindows(ds, opts);
  const rawTrain = selectWindows(all, [0, 2]);
  const scaler = fitScaler(rawTrain);
  const split = { fold: { trainSeq: [0, 2], testSeq: [1] }, train: applyScaler(rawTrain, scaler), test: applyScaler(selectWindows(all, [1]), scaler), scaler } as never;
  const fit = onsetFitWindows(ds, split, opts, 4);
  const train = (split as { train: ReturnType<typeof makeWindows> }).train;
  assert.deepEqual([...fit.lastFrame.subarray(0, train.count)], [...train.lastFrame]);
  // fall-01's stride-1 onset windows end on 11..16; 12, 14, 16 are on the stride-2 grid already; fall-02 is a test recording.
  assert.deepEqual([...fit.lastFrame.subarray(train.count)], [11, 13, 15]);
  assert.deepEqual([...fit.seq.subarray(train.count)], [0, 0, 0]);
  // Scaled with the fold's scaler: window 13's rows equal the scaled stride-1 window's.
  const one = applyScaler(makeWindows(ds, { T: 4, stride: 1 }), scaler);
  const at = [...Array(one.count).keys()].find((i) => one.seq[i] === 0 && one.lastFrame[i] === 13)!;
  const block = 4 * fit.F;
  assert.deepEqual([...fit.x.subarray((train.count + 1) * block, (train.count + 2) * block)], [...one.x.subarray(at * block, (at + 1) * block)]);
});
