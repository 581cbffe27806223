import { test } from "node:test";
import assert from "node:assert/strict";
import { groupedKFold } from "../../lib/data/split";
import { makeWindows } from "../../lib/data/windows";
import { manySequences } from "./fixtures";

const ws = makeWindows(manySequences(30, 40), { T: 4, stride: 2 });

test("k-fold: every sequence in exactly one test fold, train = the rest", () => {
  for (const k of [2, 5, 7]) {
    const folds = groupedKFold(ws, { k, seed: 11 });
    assert.equal(folds.length, k);
    const seen = new Map<number, number>();
    for (const f of folds) {
      for (const s of f.testSeq) seen.set(s, (seen.get(s) ?? 0) + 1);
      const test = new Set(f.testSeq);
      assert.ok(f.trainSeq.every((s) => !test.has(s)));
      assert.equal(f.trainSeq.length + f.testSeq.length, 70);
    }
    assert.equal(seen.size, 70);
    assert.ok([...seen.values()].every((n) => n === 1));
  }
});

test("k-fold: stratified and balanced; seeded", () => {
  const folds = groupedKFold(ws, { k: 5, seed: 2 });
  for (const f of folds) {
    assert.equal(f.testSeq.length, 14);
    assert.equal(f.testSeq.filter((s) => ws.sequenceIsFall[s] === 1).length, 6);
  }
  assert.deepEqual(groupedKFold(ws, { k: 5, seed: 2 }), folds);
  assert.notDeepEqual(groupedKFold(ws, { k: 5, seed: 3 }), folds);
  assert.throws(() => groupedKFold(ws, { k: 1, seed: 2 }), /k must be an integer >= 2/);
  assert.throws(() => groupedKFold(ws, { k: 71, seed: 2 }), /more than the 70 sequences/);
});
