import { test } from "node:test";
import assert from "node:assert/strict";
import { contiguousRanges, gatherRows, stratifiedPartition, wholeBatchRanges } from "../../lib/distributed/partition";
import { gatherRowsKernel } from "../../lib/model/fused-rnn";
import { nativeSkip } from "../fixtures/native-addon";

test("stratifiedPartition balances windows and classes, covers every index once, and is seeded", () => {
  const y = new Float32Array(103).map((_, i) => (i % 5 === 0 ? 1 : 0)); // 21 positives
  const parts = stratifiedPartition(y, 4, 7);
  const sizes = parts.map((p) => p.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
  const pos = parts.map((p) => Array.from(p).filter((i) => y[i] === 1).length);
  assert.ok(Math.max(...pos) - Math.min(...pos) <= 1, `positives ${pos}`);
  const all = parts.flatMap((p) => Array.from(p)).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 103 }, (_, i) => i));
  assert.deepEqual(stratifiedPartition(y, 4, 7), parts);
  assert.notDeepEqual(stratifiedPartition(y, 4, 8), parts);
});

test("stratifiedPartition restricted to a subset and with more parts than rows", () => {
  const y = Float32Array.from([1, 0, 1, 0, 1]);
  const parts = stratifiedPartition(y, 2, 1, [0, 1, 2]);
  assert.deepEqual(parts.flatMap((p) => Array.from(p)).sort(), [0, 1, 2]);
  const many = stratifiedPartition(Float32Array.from([1, 0]), 3, 1);
  assert.deepEqual(many.map((p) => p.length).sort(), [0, 1, 1]);
});

test("contiguousRanges and gatherRows", () => {
  assert.deepEqual(contiguousRanges(5, 2), [{ start: 0, end: 3 }, { start: 3, end: 5 }]);
  assert.deepEqual(contiguousRanges(1, 3).map((r) => r.end - r.start), [1, 0, 0]);
  const src = Float32Array.from([0, 0, 1, 1, 2, 2]);
  assert.deepEqual(Array.from(gatherRows(src, 2, [2, 0])), [2, 2, 0, 0]);
});

test("wholeBatchRanges cuts only between whole batches, at most one part a batch, none for no rows", () => {
  assert.deepEqual(wholeBatchRanges(10, 4, 2), [{ start: 0, end: 8 }, { start: 8, end: 10 }]);
  assert.deepEqual(wholeBatchRanges(10, 4, 8), [{ start: 0, end: 4 }, { start: 4, end: 8 }, { start: 8, end: 10 }]);
  assert.deepEqual(wholeBatchRanges(10, 4, 1), [{ start: 0, end: 10 }]);
  assert.deepEqual(wholeBatchRanges(0, 4, 3), []);
  for (const parts of [1, 2, 3, 5]) for (const r of wholeBatchRanges(1000, 256, parts)) assert.equal(r.start % 256, 0);
});

test("gatherRows into a reused buffer: the front of it, the rest untouched", () => {
  const src = Float32Array.from([0, 0, 1, 1, 2, 2]);
  const buf = new Float32Array(8).fill(9);
  const out = gatherRows(src, 2, [2, 1], buf);
  assert.equal(out.buffer, buf.buffer);
  assert.deepEqual(Array.from(out), [2, 2, 1, 1]);
  assert.deepEqual(Array.from(buf.subarray(4)), [9, 9, 9, 9]);
});

test("gatherRows from Int32Array indices (the native copy where built) gives the JavaScript copy's rows; a row outside the source throws", { skip: nativeSkip() }, () => {
  assert.ok(gatherRowsKernel(), "the addon's gatherRows is loaded");
  const rowSize = 7;
  const src = Float32Array.from({ length: 40 * rowSize }, (_, i) => Math.sin(i) * 1e3);
  const idx = Int32Array.from([39, 0, 17, 17, 3]);
  const into = new Float32Array(8 * rowSize).fill(-1);
  const got = gatherRows(src, rowSize, idx, into);
  assert.deepEqual(Array.from(got), Array.from(gatherRows(src, rowSize, Array.from(idx))));
  assert.equal(got.buffer, into.buffer);
  assert.deepEqual(Array.from(into.subarray(idx.length * rowSize)), new Array(3 * rowSize).fill(-1));
  assert.throws(() => gatherRows(src, rowSize, Int32Array.from([2, 40]), into), /gatherRows: row 40 in a source of 40 rows/);
  assert.throws(() => gatherRows(src, rowSize, Int32Array.from([-1]), into), RangeError);
});
