// The unsupervised posture classifier behind derived df.csv files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyPostures, fitPostureCodebook } from "../../lib/data/postures";
import { FrameTable } from "../../lib/types";

/** Rows around three well-separated points in (H, D); the label column holds nonsense on purpose. */
function clusteredTable(): FrameTable {
  const centres = [[0, 0], [10, 5], [-10, 10]];
  const features: number[] = [];
  const n = 90;
  for (let i = 0; i < n; i++) {
    const c = centres[i % 3];
    features.push(c[0] + Math.sin(i) * 0.3, c[1] + Math.cos(i * 1.7) * 0.3);
  }
  return {
    rows: n,
    sequence: Array.from({ length: n }, () => "s"),
    frame: Int32Array.from({ length: n }, (_, i) => i + 1),
    label: new Int8Array(n).fill(1),
    features: Float32Array.from(features),
    featureNames: ["H", "D"],
  };
}

test("k-means postures recover separated clusters, ordered by descending D, the same for a seed", () => {
  const table = clusteredTable();
  const cb = fitPostureCodebook(table, { postures: 3, seed: 4 });
  const tokens = classifyPostures(cb, table);
  // D centres 10, 5, 0 -> tokens 0, 1, 2 for rows of centre 2, 1, 0
  for (let i = 0; i < table.rows; i++) assert.equal(tokens[i], [2, 1, 0][i % 3], `row ${i}`);
  assert.deepEqual(fitPostureCodebook(table, { postures: 3, seed: 4 }), cb);
  assert.equal(cb.centroids.length, 3);
});

test("postures refuse a bad K and a table with other features", () => {
  const table = clusteredTable();
  assert.throws(() => fitPostureCodebook(table, { postures: 1, seed: 1 }), /postures must be an integer >= 2/);
  assert.throws(() => fitPostureCodebook(table, { postures: 91, seed: 1 }), /90 frames cannot give 91 postures/);
  const cb = fitPostureCodebook(table, { postures: 2, seed: 1 });
  assert.throws(() => classifyPostures(cb, { ...table, featureNames: ["H", "X"] }), /expects features H, D/);
});
