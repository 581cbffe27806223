import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { flatten, weightedAverage } from "../../lib/distributed/weights";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 6, features: 2, units: [4], dropout: 0, seed: 3 } };

test("synchronous: the shared weights are the sample-weighted mean of the workers' round results", async () => {
  const data = separableWindows(101, 6, 2, 5); // 51 + 50 windows
  const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", frequency: "epoch", numWorkers: 2, batchSize: 16 } });
  const before = flatten(dm.getWeights());
  const result = await dm.fit(data, { epochs: 2 });
  assert.deepEqual(result.workers.map((w) => w.samples), [51, 50]);
  const round = dm.lastSyncRound();
  assert.ok(round);
  assert.deepEqual(round.samples, [51, 50]);
  // by hand: (51 w0 + 50 w1) / 101, in float64 then rounded like the store
  const [w0, w1] = round.workerWeights;
  const byHand = w0.map((v, i) => Math.fround((51 * v + 50 * w1[i]) / 101));
  for (let i = 0; i < byHand.length; i++) assert.ok(Math.abs(round.averaged[i] - byHand[i]) <= 1e-6 * Math.max(1, Math.abs(byHand[i])), `weight ${i}`);
  assert.deepEqual(round.averaged, weightedAverage([w0, w1], [51, 50]));
  assert.deepEqual(flatten(dm.getWeights()), round.averaged);
  assert.notDeepEqual(w0, w1, "workers trained different data");
  assert.notDeepEqual(round.averaged, before, "training changed the weights");
  assert.equal(result.backend, dm.backend);
  assert.ok(result.timing.averagingSec > 0 && result.timing.averagingSec < result.timing.trainSec);
});

test("synchronous: an empty partition does not count in the average", async () => {
  const data = separableWindows(2, 6, 2, 9);
  const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", frequency: "batch", numWorkers: 3, batchSize: 1 } });
  const result = await dm.fit(data, { epochs: 1 });
  assert.deepEqual(result.workers.map((w) => w.samples).sort(), [0, 1, 1]);
  const round = dm.lastSyncRound()!;
  const empty = round.samples.indexOf(0);
  assert.ok(empty >= 0);
  const used = [0, 1, 2].filter((i) => i !== empty);
  assert.deepEqual(round.averaged, weightedAverage(used.map((i) => round.workerWeights[i]), used.map((i) => round.samples[i])));
  assert.ok(Number.isNaN(result.workers.find((w) => w.samples === 0)!.history.loss[0]));
  assert.ok(Number.isFinite(result.merged.loss[0]));
});
