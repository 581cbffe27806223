// The trainer's checkpoint hooks, which --resume builds on: onEpochEnd hands over the exact shared
// weights after each epoch, in order, awaited; initialEpoch continues an epoch count from them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig, EpochEnd, ProgressEvent } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 5, features: 2, units: [4], dropout: 0.2, seed: 6 } };
const data = separableWindows(96, 5, 2, 8);
const config: DistributedConfig = { mode: "synchronous", frequency: "batch", syncEvery: 2, numWorkers: 2, batchSize: 8, seed: 3 };

test("synchronous: the weights given after epoch 0 are bit-identical to a 1-epoch fit's result, though workers keep averaging every 2 batches", async () => {
  const one = await DistributedModel.create({ model: spec, config });
  await one.fit(data, { epochs: 1 });
  const two = await DistributedModel.create({ model: spec, config });
  const ends: EpochEnd[] = [];
  let finishedHooks = 0;
  await two.fit(data, {
    epochs: 2,
    onEpochEnd: async (e) => {
      ends.push(e);
      await new Promise((r) => setTimeout(r, 100)); // slower than an epoch: the calls still come in order
      finishedHooks++;
    },
  });
  assert.equal(finishedHooks, 2, "fit resolved after the last hook finished");
  assert.deepEqual(ends.map((e) => e.epoch), [0, 1]);
  assert.deepEqual(ends[0].weights, one.getFlatWeights());
  assert.deepEqual(ends[1].weights, two.getFlatWeights());
  assert.ok(ends.every((e) => Number.isFinite(e.loss) && e.acc >= 0 && e.samples === 96));
});

test("initialEpoch continues the epoch numbering from a restored checkpoint", async () => {
  const a = await DistributedModel.create({ model: spec, config });
  let checkpoint: Float32Array | null = null;
  await a.fit(data, { epochs: 1, onEpochEnd: (e) => void (checkpoint = e.weights) });
  const b = await DistributedModel.create({ model: spec, config });
  b.setFlatWeights(checkpoint!);
  const events: ProgressEvent[] = [];
  const result = await b.fit(data, { epochs: 3, initialEpoch: 1, onProgress: (e) => events.push(e) });
  assert.equal(result.merged.loss.length, 2, "epochs 1 and 2 trained");
  assert.deepEqual(events.filter((e) => e.type === "merged").map((e) => e.epoch), [1, 2]);
  assert.equal(result.workers[0].history.loss.length, 2);
  assert.throws(() => b.setFlatWeights(new Float32Array(3)), /setFlatWeights: expected a Float32Array of \d+ floats, got 3/);
  const nan = b.getFlatWeights();
  nan[0] = NaN;
  assert.throws(() => b.setFlatWeights(nan), /weights must be finite/);
});
