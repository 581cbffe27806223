import { test } from "node:test";
import assert from "node:assert/strict";
import { groupedSplit, selectWindows, splitWindows } from "../../lib/data/split";
import { makeWindows } from "../../lib/data/windows";
import { manySequences, rep, tinyDataset } from "./fixtures";

const ws = makeWindows(manySequences(30, 40), { T: 4, stride: 2 });

test("grouped split: no sequence on both sides, every sequence on one", () => {
  const { trainSeq, testSeq } = groupedSplit(ws, { seed: 1 });
  const train = new Set(trainSeq);
  for (const s of testSeq) assert.ok(!train.has(s), `sequence ${s} on both sides`);
  assert.equal(trainSeq.length + testSeq.length, 70);
  const tr = selectWindows(ws, trainSeq);
  const te = selectWindows(ws, testSeq);
  assert.equal(tr.count + te.count, ws.count);
  const trainIds = new Set(Array.from(tr.seq));
  for (const s of te.seq) assert.ok(!trainIds.has(s), "a test window's sequence also has train windows");
  assert.deepEqual(te.sequenceIds, ws.sequenceIds);
});

test("grouped split: each side's fall ratio within one sequence of the ideal", () => {
  for (const testFraction of [0.2, 0.3, 0.5]) {
    for (const seed of [1, 2, 3]) {
      const sp = groupedSplit(ws, { seed, testFraction });
      for (const side of [sp.trainSeq, sp.testSeq]) {
        const falls = side.filter((s) => ws.sequenceIsFall[s] === 1).length;
        assert.ok(Math.abs(falls - (side.length * 30) / 70) <= 1, `fraction ${testFraction} seed ${seed}: ${falls} falls of ${side.length}`);
      }
      assert.ok(Math.abs(sp.testSeq.length - 70 * testFraction) <= 1);
    }
  }
});

test("grouped split: same seed same split, another seed another split", () => {
  assert.deepEqual(groupedSplit(ws, { seed: 7 }), groupedSplit(ws, { seed: 7 }));
  assert.notDeepEqual(groupedSplit(ws, { seed: 7 }).testSeq, groupedSplit(ws, { seed: 8 }).testSeq);
});

test("grouped split: works on a plain sequence list; sequences without windows are left out", () => {
  const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((index) => ({ index, isFall: index < 4 }));
  const sp = groupedSplit(items, { seed: 3, testFraction: 0.5 });
  assert.equal(sp.testSeq.filter((s) => s < 4).length, 2);
  assert.equal(sp.testSeq.length, 5);

  const ds = tinyDataset([
    { id: "fall-1", isFall: true, labels: [...rep(-1, 4), 0, 0, 1, 1] },
    { id: "fall-2", isFall: true, labels: [...rep(-1, 4), 0, 0, 1, 1] },
    { id: "short", isFall: false, labels: [-1, -1] },
    { id: "adl-1", isFall: false, labels: rep(-1, 8) },
    { id: "adl-2", isFall: false, labels: rep(-1, 8) },
  ]);
  const w = makeWindows(ds, { T: 4 });
  const f = groupedSplit(w, { seed: 1, testFraction: 0.5 });
  assert.ok(![...f.trainSeq, ...f.testSeq].includes(2));
  const { train, test: held } = splitWindows(w, f);
  assert.equal(train.count + held.count, w.count);
  assert.throws(() => groupedSplit(w, { seed: 1, testFraction: 1 }), /testFraction must be in \(0, 1\)/);
});
