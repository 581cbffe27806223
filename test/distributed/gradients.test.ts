// Mode 'gradients': N workers averaging gradients over a fixed global batch train the 1-worker model.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { DistributedModel, FitResult } from "../../lib/distributed/distributed-model";
import { averagingRule, DistributedConfig, validateConfig } from "../../lib/distributed/config";
import { batchSlice, rowsPerEpoch, sliceSize } from "../../lib/distributed/partition";
import { dropoutRows } from "../../lib/model/dropout-rows";
import type { ModelSpec } from "../../lib/model/spec";
import type { Staleness } from "../../lib/distributed/protocol";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";
import { separableWindows } from "../fixtures/synthetic-windows";

test("batchSlice (and sliceSize) deals every row of a batch to exactly one worker, sizes within one", () => {
  for (const rows of [1, 5, 32, 33, 64]) {
    for (const workers of [1, 2, 3, 4, 8]) {
      const slices = Array.from({ length: workers }, (_, w) => batchSlice(rows, workers, w));
      assert.equal(slices[0].lo, 0);
      assert.equal(slices.at(-1)!.hi, rows);
      slices.slice(1).forEach((s, i) => assert.equal(s.lo, slices[i].hi));
      const sizes = slices.map((s) => s.hi - s.lo);
      assert.deepEqual(slices.map((_, w) => sliceSize(rows, workers, w)), sizes, "sliceSize is the slice's size");
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${rows} rows / ${workers}: ${sizes}`);
    }
  }
  // 70 rows in batches of 32, 32, 6; 8 micro-batches of 4 rows, then of 0,1,1,1,0,1,1,1 rows.
  assert.deepEqual([0, 1].map((w) => rowsPerEpoch(70, 32, 8, 2, w)), [16 + 16 + 3, 16 + 16 + 3]);
  // 3 workers own micro-batches 0-1, 2-4, 5-7.
  assert.deepEqual([0, 1, 2].map((w) => rowsPerEpoch(70, 32, 8, 3, w)), [8 + 8 + 1, 12 + 12 + 2, 12 + 12 + 3]);
  // More workers than micro-batches: the last ones get none.
  assert.deepEqual([0, 1, 2].map((w) => rowsPerEpoch(10, 10, 2, 3, w)), [0, 5, 5]);
});

test("dropoutRows: the whole batch equals tf.dropout bit for bit, and slices cut that same mask", async () => {
  await initBackend();
  const x = tf.randomNormal([10, 3, 4], 0, 1, "float32", 3);
  const whole = dropoutRows(x, 0.3, 77, { offset: 0, total: 10 });
  const reference = tf.dropout(x, 0.3, undefined, 77);
  assert.deepEqual(whole.dataSync(), reference.dataSync());
  const parts = [0, 4, 7].map((lo, i, a) => dropoutRows(tf.slice(x, lo, (a[i + 1] ?? 10) - lo), 0.3, 77, { offset: lo, total: 10 }));
  assert.deepEqual(tf.concat(parts, 0).dataSync(), whole.dataSync());
  assert.notDeepEqual(dropoutRows(x, 0.3, 78, { offset: 0, total: 10 }).dataSync(), whole.dataSync());
  assert.throws(() => dropoutRows(x, 0.3, 1, { offset: 5, total: 10 }), /outside a batch of 10/);
  tf.dispose([x, whole, reference, ...parts]);
});

test("config: 'gradients' exchanges every batch; an epoch frequency or syncEvery is refused", () => {
  const c = validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 32 });
  assert.equal(c.frequency, "batch");
  assert.equal(c.syncEvery, 1);
  assert.equal(c.microBatches, 8);
  assert.equal(validateConfig({ mode: "gradients", numWorkers: 12, batchSize: 32 }).microBatches, 12);
  assert.deepEqual(validateConfig(validateConfig({ mode: "hogwild", numWorkers: 2, batchSize: 32 })).microBatches, 1);
  assert.throws(() => validateConfig({ mode: "synchronous", numWorkers: 2, batchSize: 32, microBatches: 4 }), /only to mode 'gradients'/);
  assert.throws(() => validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 4, microBatches: 8 }), /exceeds config.batchSize/);
  assert.equal(validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 4 }).microBatches, 4, "the default fits a small batch");
  assert.match(averagingRule(c), /gradients of 8 micro-batches averaged/);
  assert.throws(() => validateConfig({ mode: "gradients", frequency: "epoch", numWorkers: 2, batchSize: 32 }), /every batch/);
  assert.throws(() => validateConfig({ mode: "gradients", frequency: "batch", syncEvery: 2, numWorkers: 2, batchSize: 32 }), /syncEvery 1/);
  assert.equal(validateConfig({ mode: "synchronous", numWorkers: 2, batchSize: 32 }).frequency, "epoch");
});

// Dropout on, so equality also needs the masks of each global batch to match.
const data = separableWindows(230, 8, 3, 11);
const specOf = (kind: "lstm" | "gru"): ModelSpec => ({ type: "rnn", options: { kind, timesteps: 8, features: 3, units: [8], dropout: 0.3, seed: 5, learningRate: 5e-3 } });

async function train(kind: "lstm" | "gru", numWorkers: number, mode: DistributedConfig["mode"] = "gradients", sampling?: DistributedConfig["sampling"]): Promise<{ fit: FitResult; weights: Float32Array }> {
  const dm = await DistributedModel.create({ model: specOf(kind), config: { mode, numWorkers, batchSize: 32, seed: 3, ...(sampling ? { sampling } : {}) } });
  const fit = await dm.fit(data, { epochs: 5, validationSplit: 0.1 });
  return { fit, weights: dm.getFlatWeights() };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const kind of ["lstm", "gru"] as const) {
  test(`${kind}: 2, 3, 4 and 8 workers averaging gradients train the 1-worker model bit for bit (5 epochs, dropout on)`, async () => {
    const one = await train(kind, 1);
    assert.ok(one.fit.merged.loss.at(-1)! < one.fit.merged.loss[0], `1 worker learns: ${one.fit.merged.loss}`);
    if (fusedRnnStatus().available) assert.equal(one.fit.trainingKernel, "fused-native-step", one.fit.trainingKernelNote);
    for (const n of [2, 3, 4, 8]) {
      const many = await train(kind, n);
      assert.equal(many.fit.workers.length, n);
      assert.equal(many.fit.workers.reduce((a, w) => a + w.samples, 0), one.fit.workers[0].samples, "every training row once an epoch");
      many.fit.merged.loss.forEach((l, e) => assert.ok(Math.abs(l - one.fit.merged.loss[e]) < 1e-4, `${n} workers, epoch ${e}: loss ${l} vs ${one.fit.merged.loss[e]}`));
      many.fit.merged.valLoss!.forEach((l, e) => assert.ok(Math.abs(l - one.fit.merged.valLoss![e]) < 1e-4, `${n} workers, epoch ${e}: val loss ${l} vs ${one.fit.merged.valLoss![e]}`));
      // The merged losses are summed in another order (reporting only); the weights are the same bits.
      assert.deepEqual(many.weights, one.weights, `${n} workers: weights differ from 1 worker's by up to ${maxAbsDiff(many.weights, one.weights)}`);
    }
    // The guard can fail: weight averaging at 4 workers trains another model.
    const averaged = await train(kind, 4, "synchronous");
    assert.ok(maxAbsDiff(averaged.weights, one.weights) > 1e-3, "weight averaging should not match 1 worker");
  });
}

test("sampling 'shards': 2, 3 and 8 workers train the 1-worker model bit for bit; another draw than 'global'", async () => {
  const one = await train("lstm", 1, "gradients", "shards");
  assert.ok(one.fit.merged.loss.at(-1)! < one.fit.merged.loss[0], `1 worker learns: ${one.fit.merged.loss}`);
  for (const n of [2, 3, 8]) {
    const many = await train("lstm", n, "gradients", "shards");
    assert.equal(many.fit.workers.reduce((a, w) => a + w.samples, 0), one.fit.workers[0].samples, "every training row once an epoch");
    assert.deepEqual(many.weights, one.weights, `${n} workers: weights differ from 1 worker's by up to ${maxAbsDiff(many.weights, one.weights)}`);
  }
  const global = await train("lstm", 1);
  assert.ok(maxAbsDiff(global.weights, one.weights) > 1e-4, "the two samplings draw different batches");
});

test("gradients: a slow thread's micro-batches go to the other one, and the model and the loss curve stay the same bits", async () => {
  const even = await train("gru", 2);
  const dm = await DistributedModel.create({ model: specOf("gru"), config: { mode: "gradients", numWorkers: 2, batchSize: 32, seed: 3 } });
  // Worker 1 sleeps before every batch of epoch 2: worker 0 takes that epoch's slots as they come.
  const slow = await dm.fit(data, { epochs: 5, validationSplit: 0.1, faultInjection: { worker: 1, atEpoch: 2, kind: "pause" } });
  const [w0, w1] = slow.workers.map((w) => w.timing.microBatches!);
  const perEpoch = Math.ceil(even.fit.workers.reduce((a, w) => a + w.samples, 0) / 32) * 8;
  assert.equal(w0 + w1, 5 * perEpoch, "every slot computed once");
  // With a fixed share each would compute half of epoch 2's slots; worker 0 takes (nearly) all of them.
  const [e0, e1] = slow.workers.map((w) => w.history.microBatches![2]);
  assert.equal(e0 + e1, perEpoch);
  assert.ok(e0 >= perEpoch * 0.75, `epoch 2: worker 0 computed ${e0} micro-batches, the paused worker 1 ${e1}`);
  assert.deepEqual(dm.getFlatWeights(), even.weights, "the same model whoever computed which slot");
  assert.deepEqual(slow.merged.loss, even.fit.merged.loss, "the same loss curve: each worker accounts for its fixed slots");
  assert.deepEqual(slow.workers.map((w) => w.samples), even.fit.workers.map((w) => w.samples));
});

test("gradients: a fixed seed gives bit-identical weights twice", async () => {
  const a = await train("gru", 2);
  const b = await train("gru", 2);
  assert.deepEqual(a.weights, b.weights);
});

test("asynchronous / hogwild report the staleness of their pushes; maxStaleness 0 drops every stale push", async () => {
  const spec = specOf("gru");
  for (const mode of ["asynchronous", "hogwild"] as const) {
    const free = await DistributedModel.create({ model: spec, config: { mode, frequency: "batch", numWorkers: 2, batchSize: 16, seed: 3 } });
    // Staleness needs the two workers to overlap in time; a loaded machine may run one after the
    // other within one time slice, so each fit is long enough for several slices (12 epochs, ~100
    // pushes a worker) and up to three fits get the chance (each must still count every push).
    const E = 12;
    let s = null as Staleness | null;
    for (let attempt = 0; attempt < 3 && !(s && s.max >= 1); attempt++) {
      const fit = await free.fit(data, { epochs: E });
      s = fit.staleness!;
      assert.equal(s.pushes, fit.workers.reduce((a, w) => a + Math.ceil(w.samples / 16), 0) * E, `${mode}: one push a batch`);
      assert.equal(s.dropped, 0);
    }
    assert.ok(s!.max >= 1 && s!.mean > 0, `${mode}: two workers pushing every batch see each other's deltas: ${JSON.stringify(s)}`);
    const bounded = await DistributedModel.create({ model: spec, config: { mode, frequency: "batch", numWorkers: 2, batchSize: 16, seed: 3, maxStaleness: 0 } });
    let b = null as Staleness | null;
    for (let attempt = 0; attempt < 3 && !(b && b.dropped > 0); attempt++) b = (await bounded.fit(data, { epochs: E })).staleness!;
    assert.ok(b!.dropped > 0 && b!.dropped <= b!.pushes, `${mode}, maxStaleness 0: ${JSON.stringify(b)}`);
    assert.match(averagingRule(bounded.config), /staler than 0 dropped/);
  }
  const sync = await DistributedModel.create({ model: spec, config: { mode: "synchronous", numWorkers: 2, batchSize: 16, seed: 3 } });
  assert.equal((await sync.fit(data, { epochs: 1 })).staleness, null);
  assert.throws(() => validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 16, maxStaleness: 1 }), /only to modes 'asynchronous' and 'hogwild'/);
});
