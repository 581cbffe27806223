import { test } from "node:test";
import assert from "node:assert/strict";
import { contiguousRanges, gatherRows, stratifiedPartition } from "../../lib/distributed/partition";

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
