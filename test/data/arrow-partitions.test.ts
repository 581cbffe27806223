import { test } from "node:test";
import assert from "node:assert/strict";
import { readWindowSet, writePartitions } from "../../lib/data/arrow-io";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { tempDir } from "./fixtures";

const ws = makeWindows(generateSynthetic({ seed: 5, falls: 6, adls: 6 }));

test("partitions together hold every window exactly once, balanced", () => {
  const { dir, cleanup } = tempDir("parts");
  try {
    const paths = writePartitions(dir, ws, 3, "train");
    assert.equal(paths.length, 3);
    const key = (seq: number, last: number) => `${seq}/${last}`;
    const want = new Map<string, number>();
    for (let i = 0; i < ws.count; i++) want.set(key(ws.seq[i], ws.lastFrame[i]), i);
    const seen = new Set<string>();
    const sizes: number[] = [];
    const falls: number[] = [];
    for (const p of paths) {
      const part = readWindowSet(p);
      assert.deepEqual(part.sequenceIds, ws.sequenceIds);
      sizes.push(part.count);
      falls.push(part.y.reduce((a, b) => a + b, 0));
      const block = part.T * part.F;
      for (let i = 0; i < part.count; i++) {
        const k = key(part.seq[i], part.lastFrame[i]);
        assert.ok(!seen.has(k), `window ${k} in two partitions`);
        seen.add(k);
        const src = want.get(k);
        assert.ok(src !== undefined);
        assert.deepEqual(part.x.subarray(i * block, (i + 1) * block), ws.x.subarray(src * block, (src + 1) * block));
        assert.equal(part.y[i], ws.y[src]);
      }
    }
    assert.equal(seen.size, ws.count);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes}`);
    assert.ok(Math.max(...falls) - Math.min(...falls) <= 1, `fall windows ${falls}`);
    assert.throws(() => writePartitions(dir, ws, 0, "x"), /parts must be a positive integer/);
    assert.throws(() => writePartitions(dir, ws, ws.count + 1, "x"), /would leave some empty/);
  } finally {
    cleanup();
  }
});
