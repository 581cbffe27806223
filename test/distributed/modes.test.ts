import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig, ProgressEvent } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

const T = 8;
const F = 3;
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [8], dropout: 0.1, seed: 11, learningRate: 0.01 } };
const train = separableWindows(512, T, F, 1);
const holdout = separableWindows(256, T, F, 2);

const cases: Omit<DistributedConfig, "numWorkers" | "batchSize">[] = [
  { mode: "synchronous", frequency: "epoch" },
  { mode: "asynchronous", frequency: "epoch" },
  { mode: "hogwild", frequency: "epoch" },
  { mode: "synchronous", frequency: "batch", syncEvery: 2 },
  { mode: "asynchronous", push: "gradients" },
  { mode: "hogwild", push: "gradients" },
];

for (const c of cases) {
  test(`${c.mode} × ${c.frequency ?? "batch"}${c.push ? ", pushing gradients," : ""} with 2 workers learns a separable task (> 95% held-out accuracy)`, async () => {
    const dm = await DistributedModel.create({ model: spec, config: { ...c, numWorkers: 2, batchSize: 32 } });
    const events: ProgressEvent[] = [];
    const result = await dm.fit(train, { epochs: 6, validationSplit: 0.2, onProgress: (e) => events.push(e) });
    const { accuracy } = await dm.evaluate(holdout.x, holdout.y);
    assert.ok(accuracy > 0.95, `held-out accuracy ${accuracy}`);
    assert.equal(result.merged.loss.length, 6);
    assert.equal(result.merged.valAcc?.length, 6);
    assert.ok(result.merged.loss[5] < result.merged.loss[0], "loss went down");
    assert.equal(result.workers.length, 2);
    assert.deepEqual(result.workers.map((w) => w.samples), [205, 204]);
    const steady = result.timing.steadyOverheadFraction;
    assert.ok(steady >= 0 && steady < 1, `steady overhead ${steady}`);
    for (const w of result.workers) {
      const first = w.history.timingAfterFirstEpoch!;
      assert.ok(first.trainMs > 0 && first.trainMs < w.timing.trainMs && first.rounds < w.timing.rounds, JSON.stringify(first));
    }
    for (const w of result.workers) {
      assert.equal(w.history.acc.length, 6);
      // no tensor leak: the count is flat after the first epoch (Adam's slots exist by then)
      assert.deepEqual(new Set(w.history.numTensors.slice(1)).size, 1, `numTensors ${w.history.numTensors}`);
      assert.equal(w.history.numTensors[1], w.history.numTensors[0]);
    }
    assert.ok(result.windowsPerSec > 0 && result.timing.trainSec > 0);
    assert.equal(events.filter((e) => e.type === "merged").length, 6);
    assert.equal(events.filter((e) => e.type === "epoch").length, 12);
    // Progress is throttled (~10 a second a worker), but every worker reports each epoch's last batch.
    const batchEvents = events.filter((e) => e.type === "batch");
    assert.ok(batchEvents.length >= 12 && batchEvents.length <= 6 * (7 + 7), `${batchEvents.length} batch events`);
    assert.equal(batchEvents.filter((e) => e.type === "batch" && e.batch === e.batches - 1).length, 12);
    assert.equal(DistributedModel.activeWorkers(), 0);
  });
}
