import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

// Dropout on: its masks are seeded per worker, epoch and batch, so even they repeat.
const spec: ModelSpec = { type: "rnn", options: { kind: "lstm", timesteps: 6, features: 3, units: [6], dropout: 0.3, seed: 5 } };
const data = separableWindows(150, 6, 3, 4);

async function train(config: DistributedConfig): Promise<Float32Array[]> {
  const dm = await DistributedModel.create({ model: spec, config });
  await dm.fit(data, { epochs: 2 });
  return dm.getWeights();
}

test("synchronous with a fixed seed gives bit-identical weights twice; another seed does not", async () => {
  const config: DistributedConfig = { mode: "synchronous", frequency: "batch", syncEvery: 2, numWorkers: 2, batchSize: 16, seed: 9 };
  const a = await train(config);
  const b = await train(config);
  assert.deepEqual(a, b);
  const c = await train({ ...config, seed: 10 });
  assert.notDeepEqual(a, c);
});
