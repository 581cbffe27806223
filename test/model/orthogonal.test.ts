import { test } from "node:test";
import assert from "node:assert/strict";
import { orthogonalMatrix } from "../../lib/model/orthogonal";
import { buildOriginalModel } from "../../lib/model/original";
import { initBackend } from "../../lib/backend";

function gram(m: Float32Array, rows: number, cols: number, byRows: boolean): number[][] {
  const n = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const at = (i: number, k: number) => (byRows ? m[i * cols + k] : m[k * cols + i]);
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let k = 0; k < len; k++) s += at(i, k) * at(j, k);
    return s;
  }));
}

test("orthogonalMatrix: orthonormal rows (wide) or columns (tall), seeded, scaled by gain", () => {
  for (const [rows, cols, byRows] of [[4, 12, true], [12, 4, false], [5, 5, true]] as const) {
    const m = orthogonalMatrix(rows, cols, 7);
    const g = gram(m, rows, cols, byRows);
    for (let i = 0; i < g.length; i++) for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[i][j] - (i === j ? 1 : 0)) < 1e-5, `${rows}x${cols} [${i}][${j}] = ${g[i][j]}`);
  }
  assert.deepEqual(orthogonalMatrix(3, 6, 1), orthogonalMatrix(3, 6, 1));
  assert.notDeepEqual(orthogonalMatrix(3, 6, 1), orthogonalMatrix(3, 6, 2));
  const g2 = orthogonalMatrix(2, 4, 3, 2);
  assert.ok(Math.abs(gram(g2, 2, 4, true)[0][0] - 4) < 1e-5);
});

test("the original preset's recurrent kernels are orthogonal and the same for a seed", async () => {
  await initBackend();
  const opts = { kind: "gru" as const, units: 8, layers: 2, timesteps: 4, seed: 5 };
  const a = buildOriginalModel(opts);
  const b = buildOriginalModel(opts);
  const rnns = a.layers.filter((l) => l.getClassName() === "GRU");
  assert.equal(rnns.length, 2);
  const rec = rnns[1].getWeights()[1];
  assert.deepEqual(rec.shape, [8, 24]);
  const g = gram(rec.dataSync() as Float32Array, 8, 24, true);
  for (let i = 0; i < 8; i++) assert.ok(Math.abs(g[i][i] - 1) < 1e-5);
  const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
  const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(wa, wb);
  assert.notDeepEqual(Array.from(rnns[0].getWeights()[1].dataSync()), Array.from(rnns[1].getWeights()[1].dataSync().slice(0, 8 * 24)));
});
