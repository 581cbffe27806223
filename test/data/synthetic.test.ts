import { test } from "node:test";
import assert from "node:assert/strict";
import { generateSynthetic, SYNTHETIC_LIMITS } from "../../lib/data/synthetic";
import { FEATURE_NAMES, FrameDataset } from "../../lib/types";

test("same seed gives identical data, another seed different data", () => {
  const a = generateSynthetic({ seed: 42 });
  const b = generateSynthetic({ seed: 42 });
  const c = generateSynthetic({ seed: 43 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.table.features, c.table.features);
  assert.equal(a.sequences.length, 70);
  assert.equal(a.sequences.filter((s) => s.isFall).length, 30);
  assert.equal(a.provenance.source, "synthetic");
  assert.deepEqual(a.table.featureNames, [...FEATURE_NAMES]);
  assert.ok(a.table.features.every(Number.isFinite));
  assert.ok(SYNTHETIC_LIMITS.length > 100);
});

test("labels follow the URFD convention: falls -1 → 0 (30 frames) → 1; walking ADLs all -1", () => {
  const ds = generateSynthetic({ seed: 9 });
  let lieDowns = 0;
  for (const s of ds.sequences) {
    const l = Array.from(ds.table.label.subarray(s.start, s.start + s.length));
    const runs = l.filter((v, i) => i === 0 || v !== l[i - 1]);
    if (s.isFall) {
      assert.deepEqual(runs, [-1, 0, 1], s.id);
      assert.equal(l.filter((v) => v === 0).length, 30, s.id);
    } else if (runs.includes(1)) {
      lieDowns++;
      assert.deepEqual(runs.slice(0, 3), [-1, 0, 1], s.id);
    } else {
      assert.deepEqual(runs, [-1], s.id);
    }
    const frames = ds.table.frame.subarray(s.start, s.start + s.length);
    for (let i = 1; i < frames.length; i++) assert.ok(frames[i] > frames[i - 1]);
  }
  assert.ok(lieDowns >= 8 && lieDowns <= 20, `${lieDowns} ADLs lie down`);
});

/** Largest drop of smoothed H over `lag` frames, relative to the sequence's standing H. */
function fastestDrop(ds: FrameDataset, seq: number, lag: number): number {
  const s = ds.sequences[seq];
  const h = ds.table.featureNames.indexOf("H");
  const nf = ds.table.featureNames.length;
  const raw = Array.from({ length: s.length }, (_, t) => ds.table.features[(s.start + t) * nf + h]);
  const sm = raw.map((_, i) => {
    const w = raw.slice(Math.max(0, i - 2), i + 3);
    return w.reduce((a, b) => a + b, 0) / w.length;
  });
  const standing = [...sm].sort((a, b) => b - a)[Math.floor(sm.length / 10)];
  let best = 0;
  for (let i = lag; i < sm.length; i++) best = Math.max(best, (sm[i - lag] - sm[i]) / standing);
  return best;
}

test("synthetic falls drop H faster than synthetic ADLs that lie down", () => {
  for (const seed of [1, 2, 3]) {
    const ds = generateSynthetic({ seed });
    const falls: number[] = [];
    const lies: number[] = [];
    ds.sequences.forEach((s, i) => {
      const lying = ds.table.label.subarray(s.start, s.start + s.length).includes(1);
      if (s.isFall) falls.push(fastestDrop(ds, i, 15));
      else if (lying) lies.push(fastestDrop(ds, i, 15));
    });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    assert.ok(lies.length > 0);
    assert.ok(mean(falls) > 1.8 * mean(lies), `seed ${seed}: falls ${mean(falls).toFixed(2)} vs lie-downs ${mean(lies).toFixed(2)}`);
  }
});
