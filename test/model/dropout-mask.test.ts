import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { dropoutMask, dropoutRows } from "../../lib/model/dropout-rows";
import { alea } from "../../lib/model/uniform-random";

test("alea draws tf.randomUniform's numbers for the same seed", async () => {
  await initBackend();
  for (const seed of [0, 1, 42, 123456789, 2 ** 31 - 1]) {
    const theirs = tf.randomUniform([257], 0, 1, "float32", seed);
    const next = alea(seed);
    const mine = Float32Array.from({ length: 257 }, () => next());
    assert.deepEqual(mine, theirs.dataSync(), `seed ${seed}`);
    theirs.dispose();
  }
});

test("dropoutMask is dropoutRows' multiplier bit for bit: whole batches and row slices, rates 0.3 and 0.5", async () => {
  await initBackend();
  for (const rate of [0.3, 0.5]) {
    for (const [offset, n, total] of [[0, 9, 9], [3, 4, 9], [8, 1, 9]]) {
      for (const seed of [7, 1234567]) {
        const ones = tf.ones([n, 5, 3]);
        const theirs = dropoutRows(ones, rate, seed, { offset, total });
        const mine = dropoutMask(rate, seed, [n, 5, 3], { offset, total });
        assert.deepEqual(mine, theirs.dataSync(), `rate ${rate}, rows ${offset}..${offset + n} of ${total}, seed ${seed}`);
        assert.ok(mine.some((v) => v === 0) && mine.some((v) => v > 1), "some dropped, some kept");
        tf.dispose([ones, theirs]);
      }
    }
  }
  // As tfjs's Dropout layer: no dropout unless 0 < rate < 1.
  assert.deepEqual(dropoutMask(0, 3, [2, 2], { offset: 0, total: 2 }), Float32Array.from([1, 1, 1, 1]));
  assert.deepEqual(dropoutMask(1, 3, [2, 2], { offset: 0, total: 2 }), Float32Array.from([1, 1, 1, 1]));
  assert.throws(() => dropoutMask(0.3, 3, [3, 2], { offset: 1, total: 3 }), RangeError);
});
