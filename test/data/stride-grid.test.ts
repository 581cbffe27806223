import { test } from "node:test";
import assert from "node:assert/strict";
import { makeWindows } from "../../lib/data/windows";
import { offGridStride, onStrideGrid } from "../../lib/data/stride-grid";
import { takeWindows } from "../../lib/data/split";
import { rep, tinyDataset } from "./fixtures";

const ds = tinyDataset([
  { id: "fall-01", isFall: true, labels: [...rep(-1, 10), ...rep(0, 3), ...rep(1, 8)] },
  { id: "adl-01", isFall: false, labels: rep(-1, 15) },
]);

test("onStrideGrid picks out of a stride-1 cut exactly the windows (and order) of a stride-4 cut", () => {
  const fine = makeWindows(ds, { T: 4, stride: 1 });
  const coarse = makeWindows(ds, { T: 4, stride: 4 });
  const picked = takeWindows(fine, onStrideGrid(fine, ds, 4));
  assert.deepEqual([...picked.seq], [...coarse.seq]);
  assert.deepEqual([...picked.lastFrame], [...coarse.lastFrame]);
  assert.deepEqual([...picked.x], [...coarse.x]);
  assert.deepEqual(onStrideGrid(fine, ds, 1), [...Array(fine.count).keys()]);
});

test("onStrideGrid counts rows, not frame numbers, and holds for padded cuts", () => {
  const padded = makeWindows(ds, { T: 4, stride: 1, padStarts: 3 });
  const coarse = makeWindows(ds, { T: 4, stride: 2, padStarts: 3 });
  assert.deepEqual([...takeWindows(padded, onStrideGrid(padded, ds, 2)).lastFrame], [...coarse.lastFrame]);
  assert.throws(() => onStrideGrid(padded, ds, 0), /stride must be a positive integer/);
  assert.throws(() => onStrideGrid(padded, tinyDataset([{ id: "fall-01", isFall: true, labels: rep(-1, 3) }]), 2), /no frame \d+ in sequence "fall-01"/);
});

test("offGridStride: the grid a run's window AUC is read on, only when it scored off that grid", () => {
  assert.equal(offGridStride({ stride: 4, scoreStride: 1 }), 4);
  assert.equal(offGridStride({ stride: 4, scoreStride: 4 }), null);
  assert.equal(offGridStride({ stride: 4, scoreStride: null }), null);
  assert.equal(offGridStride({ stride: 4 }), null);
  assert.equal(offGridStride({ scoreStride: 1 }), null, "metrics.json without its stride: no grid to read");
});
