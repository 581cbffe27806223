// Contention on the shared parameter store: several threads adding deltas in tight loops, with the
// lock (asynchronous: exact) and without (hogwild: updates may be lost, values never broken), and
// training with many concurrent per-batch updates still converging with finite weights throughout.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { ParamStore } from "../../lib/distributed/param-store";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig, EpochEnd } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import type { ContentionReport, FixtureData } from "../fixtures/param-store-worker";
import { separableWindows } from "../fixtures/synthetic-windows";

const FIXTURE = path.join(__dirname, "..", "fixtures", "param-store-worker.js");
const SIZE = 4096;
const WRITERS = 3;
const ITERATIONS = 3000;

function run(data: FixtureData): Promise<ContentionReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FIXTURE, { workerData: data });
    let report: ContentionReport | null = null;
    worker.on("message", (m: ContentionReport | { error: string }) => {
      if ("error" in m) reject(new Error(m.error));
      else report = m;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => (report && code === 0 ? resolve(report) : reject(new Error(`fixture exited ${code} without a report`))));
  });
}

async function hammer(locked: boolean): Promise<{ values: Float32Array; reader: ContentionReport; ms: number }> {
  const store = ParamStore.create(SIZE, WRITERS + 1);
  const t0 = performance.now();
  const writers = Array.from({ length: WRITERS }, (_, party) => run({ handles: store.handles, party, op: "add-delta", iterations: ITERATIONS, locked }));
  const reader = run({ handles: store.handles, party: WRITERS, op: "read-snapshots", iterations: 2000, locked });
  const [r] = await Promise.all([reader, ...writers]);
  return { values: store.read(), reader: r, ms: performance.now() - t0 };
}

test(`asynchronous (locked): ${WRITERS} threads × ${ITERATIONS} addDelta of ${SIZE} floats lose nothing and a locked reader never sees half a delta`, async () => {
  const { values, reader, ms } = await hammer(true);
  const expected = WRITERS * ITERATIONS;
  const wrong = values.findIndex((v) => v !== expected);
  assert.equal(wrong, -1, `float ${wrong} is ${values[wrong]}, expected ${expected}`);
  assert.equal(reader.torn, 0, "a locked snapshot is never torn");
  assert.equal(reader.nonFinite, 0);
  console.log(`locked: ${expected} deltas in ${ms.toFixed(0)} ms, ${reader.snapshots} snapshots, none torn`);
});

test(`hogwild (no lock): the same hammering keeps every float finite, whole and within [1, ${WRITERS * ITERATIONS}]`, async () => {
  const { values, reader, ms } = await hammer(false);
  const max = WRITERS * ITERATIONS;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // a torn float would not be a small whole number
    assert.ok(Number.isInteger(v) && v >= 1 && v <= max, `float ${i} is ${v}`);
  }
  assert.equal(reader.nonFinite, 0);
  const lost = values.reduce((a, v) => a + (max - v), 0) / values.length;
  console.log(`hogwild: ${ms.toFixed(0)} ms, ${lost.toFixed(1)} of ${max} updates lost per float on average, ${reader.torn}/${reader.snapshots} unlocked snapshots mixed two updates`);
});

const T = 8;
const F = 3;
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [8], seed: 4, learningRate: 0.01 } };
const train = separableWindows(384, T, F, 21);
const holdout = separableWindows(200, T, F, 22);

for (const mode of ["hogwild", "asynchronous"] as const) {
  test(`${mode} × batch with 3 workers converges on a separable task; weights stay finite at every epoch`, async () => {
    const config: DistributedConfig = { mode, frequency: "batch", numWorkers: 3, batchSize: 16, seed: 5 };
    const dm = await DistributedModel.create({ model: spec, config });
    const ends: EpochEnd[] = [];
    const result = await dm.fit(train, { epochs: 4, onEpochEnd: (e) => void ends.push(e) });
    assert.deepEqual(ends.map((e) => e.epoch), [0, 1, 2, 3]);
    for (const e of ends) assert.ok(e.weights.every(Number.isFinite), `epoch ${e.epoch} snapshot has a non-finite weight`);
    assert.deepEqual(ends[3].weights, dm.getFlatWeights(), "after the last epoch the snapshot is the final weights");
    assert.ok(result.merged.loss.every(Number.isFinite));
    assert.ok(result.merged.loss[3] < result.merged.loss[0], `loss ${result.merged.loss}`);
    const { accuracy } = await dm.evaluate(holdout.x, holdout.y);
    assert.ok(accuracy > 0.9, `held-out accuracy ${accuracy}`);
    console.log(`${mode} × batch, 3 workers: held-out accuracy ${accuracy.toFixed(3)}, ${result.workers.reduce((a, w) => a + w.timing.rounds, 0)} concurrent updates`);
  });
}
