// The slot shards of mode 'gradients': every training row in exactly one shard, every row used once an
// epoch, and a holder of slots [lo, hi) finds each shard where the layout says.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng, shuffledOrder, shuffleInPlace } from "../../lib/random";
import { batchCounts, batchesPerEpoch, dealSlotShards, heldIndices, heldLayout, heldRows, microBatch, shardOrder } from "../../lib/distributed/slot-shards";

const labels = (n: number, positives: number) => Float32Array.from({ length: n }, (_, i) => (i < positives ? 1 : 0));

test("dealSlotShards: every training row once, sizes and each class's share within one; contiguous without shuffling", () => {
  const y = labels(103, 30);
  const shards = dealSlotShards(y, 8, 7, 95, true);
  const all = shards.flatMap((s) => Array.from(s)).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 95 }, (_, i) => i), "rows 0..94 once (the validation rows 95.. stay out)");
  const sizes = shards.map((s) => s.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${sizes}`);
  const pos = shards.map((s) => Array.from(s).filter((i) => y[i] === 1).length);
  assert.ok(Math.max(...pos) - Math.min(...pos) <= 1, `positives ${pos}`);
  assert.deepEqual(dealSlotShards(y, 8, 7, 95, true), shards, "seeded");
  assert.notDeepEqual(dealSlotShards(y, 8, 8, 95, true), shards, "another seed deals otherwise");
  assert.deepEqual(dealSlotShards(y, 3, 7, 10, false).map((s) => Array.from(s)), [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
});

test("micro-batches: each shard's rows once an epoch, in batches of batchSize until the longest shard ends", () => {
  // 70 rows in 8 shards (9,9,9,9,9,9,8,8), batches of 32: 4 rows a slot → 3 batches of 32, 32, 6.
  const sizes = [9, 9, 9, 9, 9, 9, 8, 8];
  assert.equal(batchesPerEpoch(sizes, 32), 3);
  assert.deepEqual([0, 1, 2].map((k) => batchCounts(sizes, 32, k).reduce((a, b) => a + b, 0)), [32, 32, 6]);
  assert.deepEqual(batchCounts(sizes, 32, 2), [1, 1, 1, 1, 1, 1, 0, 0]);
  for (let m = 0; m < 8; m++) {
    let next = 0;
    for (let k = 0; k < 3; k++) {
      const { start, count } = microBatch(sizes, 32, k, m);
      assert.equal(start, next, `slot ${m} batch ${k} continues where the last ended`);
      next += count;
    }
    assert.equal(next, sizes[m], `slot ${m}: all its rows`);
  }
  // A batch the slots cannot split (fewer rows than slots) is refused in one line.
  assert.throws(() => batchesPerEpoch([3, 3, 3, 3], 2), /micro-batch 0 of 4 no row|micro-batch \d of 4 no row/);
});

test("shardOrder: a seeded permutation; identity without shuffling", () => {
  const a = shardOrder(20, true, 3002);
  assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(shardOrder(20, true, 3002), a);
  assert.notDeepEqual(shardOrder(20, true, 4002), a, "another seed, another order");
  assert.deepEqual(Array.from(shardOrder(5, false, 3002)), [0, 1, 2, 3, 4]);
});

test("shuffledOrder: refills a reused array with the permutation an array of 0..n-1 shuffled on the seed gets (the order runs before it trained on)", () => {
  const into = new Int32Array(20).fill(-1);
  shuffledOrder(into, true, 3002);
  const reference = shuffleInPlace(Array.from({ length: 20 }, (_, i) => i), createRng(3002));
  assert.deepEqual(Array.from(into), reference);
  assert.equal(shuffledOrder(into, true, 3002), into, "the same array, filled afresh");
  assert.deepEqual(Array.from(into), reference, "a second epoch on the same seed starts from 0..n-1, not from the last order");
  assert.deepEqual(Array.from(shuffledOrder(into, false, 3002)), Array.from({ length: 20 }, (_, i) => i));
});

test("held layout: slots [lo, hi) back to back; the others marked not held", () => {
  const shards = [Int32Array.of(5, 1), Int32Array.of(0, 2, 4), Int32Array.of(3), Int32Array.of(6, 7)];
  const sizes = shards.map((s) => s.length);
  assert.deepEqual(heldLayout(sizes, 1, 3), { sizes: [2, 3, 1, 2], offsets: [-1, 0, 3, -1] });
  assert.equal(heldRows(sizes, 1, 3), 4);
  assert.deepEqual(Array.from(heldIndices(shards, 1, 3)), [0, 2, 4, 3]);
  assert.deepEqual(Array.from(heldIndices(shards, 0, 4)), [5, 1, 0, 2, 4, 3, 6, 7]);
});
