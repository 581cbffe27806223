import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { loadModelFiles } from "../../lib/model/io";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

const spec: ModelSpec = { type: "rnn", options: { kind: "lstm", timesteps: 5, features: 3, units: [6, 4], dropout: 0.2, seed: 8 } };
const config = { mode: "asynchronous", frequency: "epoch", numWorkers: 2, batchSize: 16 } as const;
const data = separableWindows(67, 5, 3, 6);

function mainThreadPredict(model: tf.LayersModel, x: Float32Array, count: number): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor3d(x, [count, 5, 3])) as tf.Tensor).dataSync() as Float32Array);
}

function assertClose(a: Float32Array, b: Float32Array, tol = 1e-6): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `row ${i}: ${a[i]} vs ${b[i]}`);
}

test("predict over 2 workers keeps row order (matches a single-thread predict with the same weights)", async () => {
  const dm = await DistributedModel.create({ model: spec, config });
  await dm.fit(data, { epochs: 1 });
  const distributed = await dm.predict(data.x, data.count);
  const local = mainThreadPredict(dm.toModel(), data.x, data.count);
  assertClose(distributed, local);
  assert.ok(new Set(Array.from(distributed)).size > 60, "rows differ, so order matters");
  const ev = await dm.evaluate(data.x, data.y);
  assert.ok(ev.loss > 0 && ev.accuracy >= 0 && ev.accuracy <= 1);
  await assert.rejects(dm.predict(data.x, data.count + 1), /x must be a Float32Array of count × T × F/);
});

test("predict gives the same scores bit for bit at 1, 2 and 3 workers (each row in the same batch)", async () => {
  // 700 rows: three 256-row predict batches, which 2 and 3 workers used to cut elsewhere; the pipeline's layer width,
  // whose kernel rounds a short batch's rows otherwise than a full one's.
  const wide: ModelSpec = { type: "rnn", options: { kind: "lstm", timesteps: 6, features: 24, units: [32], dropout: 0.3, seed: 8 } };
  const many = separableWindows(700, 6, 24, 9);
  const scores: Float32Array[] = [];
  let weights: Float32Array[] | null = null;
  for (const numWorkers of [1, 2, 3]) {
    const dm = await DistributedModel.create({ model: wide, config: { ...config, numWorkers } });
    try {
      if (weights) dm.setWeights(weights);
      else {
        await dm.fit(many, { epochs: 1 });
        weights = dm.getWeights();
      }
      scores.push(await dm.predict(many.x, many.count));
    } finally {
      dm.dispose();
    }
  }
  assert.deepEqual(scores[1], scores[0]);
  assert.deepEqual(scores[2], scores[0]);
});

test("save then load gives identical weights and predictions; model.json loads in plain tfjs", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "dm-save-"));
  try {
    const dm = await DistributedModel.create({ model: spec, config });
    await dm.fit(data, { epochs: 1 });
    await dm.save(dir);
    assert.deepEqual((await fs.readdir(dir)).sort(), ["distributed.json", "model.json", "weights.bin"]);
    const back = await DistributedModel.load(dir);
    assert.deepEqual(back.spec, dm.spec);
    assert.deepEqual(back.config, dm.config);
    assert.deepEqual(back.getWeights(), dm.getWeights());
    assert.deepEqual(await back.predict(data.x, data.count), await dm.predict(data.x, data.count));
    const plain = await loadModelFiles(dir);
    assertClose(mainThreadPredict(plain, data.x, data.count), mainThreadPredict(dm.toModel(), data.x, data.count), 0);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test("load validates distributed.json before use", async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "dm-bad-"));
  try {
    const dm = await DistributedModel.create({ model: spec, config });
    await dm.save(dir);
    const file = path.join(dir, "distributed.json");
    const meta = JSON.parse(await fs.readFile(file, "utf8"));
    await fs.writeFile(file, JSON.stringify({ ...meta, config: { ...meta.config, mode: "elastic" } }));
    await assert.rejects(DistributedModel.load(dir), (e: Error) => e instanceof TypeError && /config\.mode/.test(e.message));
    await fs.writeFile(file, JSON.stringify({ ...meta, model: { ...meta.model, options: { ...meta.model.options, units: [7, 4] } } }));
    await assert.rejects(DistributedModel.load(dir), /weightCount \d+ does not match/);
    await fs.writeFile(file, "{\"format\": 1}");
    await assert.rejects(DistributedModel.load(dir), /format must be/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test("dispose frees the main thread's model and optimizer (a trained one too); the model refuses work after", async () => {
  await DistributedModel.create({ model: spec, config }).then((m) => m.dispose()); // backend and kernels set up
  const before = tf.memory().numTensors;
  const dm = await DistributedModel.create({ model: spec, config });
  await dm.fit(data, { epochs: 1 });
  await dm.predict(data.x, data.count);
  assert.ok(tf.memory().numTensors > before, "the model holds tensors");
  dm.dispose();
  assert.equal(tf.memory().numTensors, before, "every tensor it held is freed");
  assert.throws(() => dm.getFlatWeights(), /DistributedModel is disposed/);
  await assert.rejects(dm.predict(data.x, data.count), /DistributedModel is disposed/);
  await assert.rejects(dm.ready(), /DistributedModel is disposed/, "not rebuilt as a fresh model");
  const early = new DistributedModel({ model: spec, config });
  const pending = early.ready();
  early.dispose(); // before its backend answered
  await assert.rejects(pending, /DistributedModel is disposed/);
  assert.equal(tf.memory().numTensors, before, "nor built after it");
});
