// Notebook 07's library side: one split of recordings for both models, and its table and figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { generateSynthetic } from "../../lib/data";
import { deriveDfCsv } from "../../lib/data/dfcsv-derive";
import { postureHistogramFigure, prepareComparison } from "../../lib/pipeline/original-comparison";

test("prepareComparison tests both models on the same recordings and scales only the features", () => {
  const ds = generateSynthetic({ seed: 2, falls: 5, adls: 5 });
  const derived = deriveDfCsv(ds, { postures: 5, window: 8, stride: 4, seed: 1 });
  const split = prepareComparison(ds, derived, { seed: 3, T: 16, stride: 4 });
  const ids = (seq: Int32Array, names: string[]) => [...new Set(Array.from(seq, (s) => names[s]))].sort();
  assert.deepEqual(ids(split.tokens.test.seq, split.tokens.test.sequenceIds), [...split.testIds].sort());
  assert.deepEqual(ids(split.features.test.seq, split.features.test.sequenceIds), [...split.testIds].sort());
  const trainIds = ids(split.tokens.train.seq, split.tokens.train.sequenceIds);
  assert.ok(trainIds.every((id) => !split.testIds.includes(id)), "no recording on both sides");
  assert.ok(split.testIds.some((id) => id.startsWith("fall")) && split.testIds.some((id) => id.startsWith("adl")));
  // tokens stay integer ids; features are standardised on the training side
  for (const v of split.tokens.train.x) assert.ok(Number.isInteger(v) && v >= 0 && v < 5);
  assert.deepEqual(split.tokens.scaler.std, [1]);
  assert.ok(split.features.scaler.std.length === split.features.train.F);
});

test("postureHistogramFigure counts every token of every row once", () => {
  const derived = deriveDfCsv(generateSynthetic({ seed: 4, falls: 3, adls: 3 }), { postures: 4, window: 8, stride: 8, seed: 1 });
  const fig = postureHistogramFigure(derived);
  const total = fig.data.reduce((a, t) => a + (t.y as number[]).reduce((x, y) => x + y, 0), 0);
  assert.equal(total, derived.windows.count * 8);
  assert.equal((fig.data[1].y as number[]).reduce((x, y) => x + y, 0), derived.windows.y.reduce((a, v) => a + v, 0) * 8);
});
