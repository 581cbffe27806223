// Weight averaging's remedies are wired for threads only: a cluster job refuses them up front.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { makeJob } from "../../lib/cluster/job";
import type { ResolvedCluster } from "../../lib/cluster/launcher";

const cluster: ResolvedCluster = { ranks: 2, workersPerRank: 1, hostfile: null, hosts: [], oversubscribe: false, launchAgent: null, network: null, mpirunArgs: [], sharedDir: null };
const data = { x: new Float32Array(4 * 6 * 2), y: Float32Array.from([0, 1, 0, 1]), count: 4, T: 6, F: 2 };
const spec = { type: "rnn" as const, options: { kind: "gru" as const, timesteps: 6, features: 2, units: [4] } };

test("a cluster job refuses averageMoments and lrScaling with one line, and takes plain synchronous", async () => {
  for (const extra of [{ averageMoments: true }, { lrScaling: "linear" as const }]) {
    const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", numWorkers: 1, batchSize: 2, ...extra } });
    assert.throws(() => makeJob(dm, data, { epochs: 1 }, cluster), (e: unknown) => e instanceof TypeError && /not implemented across ranks/.test(e.message) && !e.message.includes("\n"));
  }
  const plain = await DistributedModel.create({ model: spec, config: { mode: "synchronous", numWorkers: 1, batchSize: 2 } });
  assert.equal(makeJob(plain, data, { epochs: 1 }, cluster).ranks, 2);
});
