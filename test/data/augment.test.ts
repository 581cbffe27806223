import { test } from "node:test";
import assert from "node:assert/strict";
import { augmentRecordings, AUGMENTED_ID } from "../../lib/data/augment";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { fitScaler } from "../../lib/data/scaler";
import { PreparedSplit, prepareFolds } from "../../lib/pipeline/prepare";
import { augmentedFitWindows, joinWindowSets } from "../../lib/pipeline/augment-fold";

const ds = generateSynthetic({ seed: 3, falls: 4, adls: 4 });
const ids = ds.sequences.map((s) => s.id);

test("speed 1 and amplitude 0 copy each recording exactly, frames renumbered from 1", () => {
  const aug = augmentRecordings(ds, ids, { copies: 2, seed: 1, maxSpeed: 1, amplitude: 0 });
  assert.equal(aug.sequences.length, 2 * ids.length);
  const nf = ds.table.featureNames.length;
  for (const [i, s] of ds.sequences.entries()) {
    for (const c of [0, 1]) {
      const a = aug.sequences[2 * i + c];
      assert.equal(a.id, `${s.id}${AUGMENTED_ID}${c + 1}`);
      assert.equal(a.isFall, s.isFall);
      assert.equal(a.length, s.length);
      assert.deepEqual(Array.from(aug.table.frame.subarray(a.start, a.start + a.length)), Array.from({ length: s.length }, (_, k) => k + 1));
      assert.deepEqual(aug.table.label.subarray(a.start, a.start + a.length), ds.table.label.subarray(s.start, s.start + s.length));
      assert.deepEqual(aug.table.features.subarray(a.start * nf, (a.start + a.length) * nf), ds.table.features.subarray(s.start * nf, (s.start + s.length) * nf));
    }
  }
});

test("copies are seeded, warped within the speed range, scaled within the amplitude, and keep their falls", () => {
  const one = augmentRecordings(ds, ids, { copies: 3, seed: 9 });
  const two = augmentRecordings(ds, ids, { copies: 3, seed: 9 });
  const other = augmentRecordings(ds, ids, { copies: 3, seed: 10 });
  assert.deepEqual(one.table.features, two.table.features);
  assert.notDeepEqual(one.table.features, other.table.features);
  let changed = 0;
  for (const a of one.sequences) {
    const s = ds.sequences.find((q) => a.id.startsWith(`${q.id}${AUGMENTED_ID}`))!;
    const speed = (s.length - 1) / (a.length - 1);
    assert.ok(speed > 1 / 1.25 - 0.05 && speed < 1.25 + 0.05, `${a.id}: speed ${speed}`);
    if (a.length !== s.length) changed++;
    const h = ds.table.featureNames.length;
    const ratio = one.table.features[a.start * h] / ds.table.features[s.start * h];
    assert.ok(Math.abs(ratio - 1) <= 0.1 + 1e-6, `${a.id}: first feature scaled by ${ratio}`);
    const falling = one.table.label.subarray(a.start, a.start + a.length).includes(0);
    assert.equal(falling, ds.table.label.subarray(s.start, s.start + s.length).includes(0), `${a.id}: falling segment kept or absent as in ${s.id}`);
  }
  assert.ok(changed > 0, "some copy plays at another speed");
  assert.throws(() => augmentRecordings(ds, ["nope"], { copies: 1, seed: 1 }), /no sequence "nope"/);
  assert.throws(() => augmentRecordings(ds, ids, { copies: -1, seed: 1 }), /copies must be a non-negative integer/);
});

test("a fold fits on its real windows plus the copies' windows, scaled with the fold's own scaler", () => {
  const windowOptions = { T: 16, stride: 4 };
  const [split] = prepareFolds(makeWindows(ds, windowOptions), { k: 2, seed: 1 }) as PreparedSplit[];
  assert.equal(augmentedFitWindows(ds, split, windowOptions, { copies: 0, seed: 1 }), split.train);
  const fit = augmentedFitWindows(ds, split, windowOptions, { copies: 1, seed: 1 });
  assert.ok(fit.count > split.train.count);
  assert.deepEqual(fit.x.subarray(0, split.train.x.length), split.train.x);
  const trainIds = new Set([...split.train.seq].map((s) => split.train.sequenceIds[s]));
  const extraIds = new Set([...fit.seq.subarray(split.train.count)].map((s) => fit.sequenceIds[s]));
  for (const id of extraIds) assert.ok(trainIds.has(id.split(AUGMENTED_ID)[0]), `${id} copies a training recording`);
  // Standardised by the fold's scaler: the copies sit near mean 0, std 1 as the real windows do.
  const s = fitScaler({ ...fit, x: fit.x.subarray(split.train.x.length), count: fit.count - split.train.count, y: fit.y.subarray(split.train.count), seq: fit.seq.subarray(split.train.count), lastFrame: fit.lastFrame.subarray(split.train.count) });
  for (const m of s.mean.slice(0, 8)) assert.ok(Math.abs(m) < 1, `copy mean ${m}`);
  assert.throws(() => joinWindowSets(split.train, { ...split.train, T: 8 }), /joinWindowSets/);
});
