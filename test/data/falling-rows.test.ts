import { test } from "node:test";
import assert from "node:assert/strict";
import { makeWindows } from "../../lib/data/windows";
import { fallingRowsPerWindow, onsetWindows, withoutEarlyFallWindows } from "../../lib/data/falling-rows";
import { rep, tinyDataset } from "./fixtures";

// Fall: frames 1–10 not lying, 11–13 falling, 14–20 lying. T=4, stride 2: windows end on frames 4, 6, …, 20.
const ds = tinyDataset([
  { id: "fall-01", isFall: true, labels: [...rep(-1, 10), ...rep(0, 3), ...rep(1, 7)] },
  { id: "adl-01", isFall: false, labels: [...rep(-1, 6), ...rep(0, 4), ...rep(1, 6)] },
]);
const ws = makeWindows(ds, { T: 4, stride: 2 });

test("fallingRowsPerWindow counts each window's label-0 rows (in ADL recordings too)", () => {
  const rows = fallingRowsPerWindow(ws, ds);
  const fall = [...Array(ws.count).keys()].filter((i) => ws.seq[i] === 0);
  assert.deepEqual(fall.map((i) => [ws.lastFrame[i], rows[i]]), [[4, 0], [6, 0], [8, 0], [10, 0], [12, 2], [14, 3], [16, 1], [18, 0], [20, 0]]);
  const adl = [...Array(ws.count).keys()].filter((i) => ws.seq[i] === 1);
  assert.equal(rows[adl.find((i) => ws.lastFrame[i] === 10)!], 4);
});

test("withoutEarlyFallWindows drops only fall windows below the count, keeps order and every other window", () => {
  const kept = withoutEarlyFallWindows(ws, ds, 2);
  const dropped = [...Array(ws.count).keys()].filter((i) => ws.seq[i] === 0 && ws.lastFrame[i] === 16);
  assert.equal(dropped.length, 1);
  assert.equal(kept.count, ws.count - 1);
  assert.deepEqual([...kept.lastFrame], [...ws.lastFrame].filter((_, i) => i !== dropped[0]));
  assert.deepEqual([...kept.y], [...ws.y].filter((_, i) => i !== dropped[0]));
  assert.equal(withoutEarlyFallWindows(ws, ds, 4).count, ws.count - 3);
  assert.strictEqual(withoutEarlyFallWindows(ws, ds, 1), ws);
});

test("a window whose last frame the data set lacks is an error naming the sequence", () => {
  const other = tinyDataset([{ id: "fall-01", isFall: true, labels: rep(-1, 8) }]);
  assert.throws(() => fallingRowsPerWindow(ws, other), /no frame 10 in sequence "fall-01"|no frame \d+ in sequence "fall-01"/);
});

test("onsetWindows: the fall windows at every frame holding 1..maxRows falling rows, none from ADLs", () => {
  const on = onsetWindows(ds, { T: 4 }, 2);
  // Stride 1 fall windows end on 4..20; those holding 1–2 of the falling frames 11–13 end on 11, 12, 15, 16.
  assert.deepEqual([...on.lastFrame], [11, 12, 15, 16]);
  assert.deepEqual([...on.seq], [0, 0, 0, 0]);
  assert.ok([...on.y].every((v) => v === 1));
  assert.deepEqual([...onsetWindows(ds, { T: 4 }, 4).lastFrame], [11, 12, 13, 14, 15, 16]);
});
