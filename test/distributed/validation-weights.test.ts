import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

// Workers copy weights between the store and the native step without the tfjs model: validation must still see them.
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 6, features: 3, units: [6], seed: 5 } };
const data = separableWindows(160, 6, 3, 4);
const split = 0.25;

for (const config of [
  { mode: "synchronous", frequency: "batch", syncEvery: 1, numWorkers: 2, batchSize: 16, seed: 9 },
  { mode: "asynchronous", frequency: "batch", syncEvery: 1, numWorkers: 1, batchSize: 16, seed: 9 },
] as DistributedConfig[]) {
  test(`${config.mode} × ${config.frequency}, ${config.numWorkers} worker(s): the last epoch's validation scores the final shared weights`, async () => {
    const dm = await DistributedModel.create({ model: spec, config });
    const fit = await dm.fit(data, { epochs: 2, validationSplit: split });
    const nTrain = Math.floor(data.count * (1 - split));
    const row = data.T * data.F;
    const own = await dm.evaluate(data.x.slice(nTrain * row), data.y.slice(nTrain));
    assert.ok(Math.abs(fit.merged.valLoss![1] - own.loss) < 1e-5, `fit's val loss ${fit.merged.valLoss![1]} vs the final weights' ${own.loss}`);
    assert.equal(fit.merged.valAcc![1], own.accuracy);
    // and the first epoch's validation did not score the initial weights either
    assert.notEqual(fit.merged.valLoss![0], fit.merged.valLoss![1]);
  });
}
