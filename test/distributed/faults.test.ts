import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig, FaultInjection } from "../../lib/distributed/config";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";
import { expectFitFailure } from "../fixtures/fault-helpers";

const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 6, features: 2, units: [4] } };
const data = separableWindows(200, 6, 2, 3);

async function expectFailure(config: DistributedConfig, fault: FaultInjection, pattern: RegExp): Promise<void> {
  const dm = await DistributedModel.create({ model: spec, config });
  await expectFitFailure(dm, data, { epochs: 3, faultInjection: fault }, pattern);
}

// Synchronous 'batch': the healthy worker is blocked at a barrier when the other dies.
const sync: DistributedConfig = { mode: "synchronous", frequency: "batch", numWorkers: 2, batchSize: 8 };
const locked: DistributedConfig = { mode: "asynchronous", frequency: "batch", numWorkers: 2, batchSize: 8 };

test("a worker that throws rejects fit naming it; the waiting worker is released", () =>
  expectFailure(sync, { worker: 1, atEpoch: 1, kind: "throw" }, /^worker 1 failed: injected fault \(throw\) in worker 1 at epoch 1$/));

test("an unhandled rejection inside a worker is reported too", () =>
  expectFailure(locked, { worker: 0, atEpoch: 1, kind: "reject" }, /^worker 0 failed: injected fault \(reject\)/));

test("an unhandled rejection in a fit's last batch, with no turn of the event loop before the fit ends, still fails the fit (not lost after it resolved)", async () => {
  // One worker and no validation: the fit ends in the same turn as the fault unless the final message waits for the rejection.
  const one: DistributedConfig = { mode: "asynchronous", frequency: "epoch", numWorkers: 1, batchSize: 64 };
  for (let i = 0; i < 3; i++) await expectFailure(one, { worker: 0, atEpoch: 2, atBatch: 3, kind: "reject" }, /^worker 0 failed: injected fault \(reject\)/);
});

test("a worker that exits rejects fit naming it and its exit code", () =>
  expectFailure(sync, { worker: 0, atEpoch: 0, kind: "exit" }, /^worker 0 failed: exited with code 3/));

test("a throwing onProgress callback rejects fit and stops the workers", async () => {
  const dm = await DistributedModel.create({ model: spec, config: locked });
  await assert.rejects(
    dm.fit(data, {
      epochs: 2,
      onProgress: () => {
        throw new Error("callback broke");
      },
    }),
    /callback broke/,
  );
  assert.equal(DistributedModel.activeWorkers(), 0);
});

test("after a failure the model can train again", async () => {
  const dm = await DistributedModel.create({ model: spec, config: sync });
  await assert.rejects(dm.fit(data, { epochs: 2, faultInjection: { worker: 1, atEpoch: 0, kind: "throw" } }));
  const result = await dm.fit(data, { epochs: 1 });
  assert.equal(result.merged.loss.length, 1);
  assert.equal(DistributedModel.activeWorkers(), 0);
});
