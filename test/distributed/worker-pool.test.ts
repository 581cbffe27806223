import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig } from "../../lib/distributed/config";
import { messageTap } from "../../lib/distributed/worker-group";
import { endIdleWorkers, idleWorkerCount } from "../../lib/distributed/worker-pool";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";
import { expectFitFailure } from "../fixtures/fault-helpers";

const T = 8;
const F = 3;
const spec: ModelSpec = { type: "rnn", options: { kind: "lstm", timesteps: T, features: F, units: [8], dropout: 0.1, seed: 5, learningRate: 0.01 } };
const train = separableWindows(256, T, F, 3);

/** Startup time each worker reported in its ready message, in order. */
async function fitReportingStartup(config: DistributedConfig): Promise<{ weights: Float32Array; startupMs: number[] }> {
  const startupMs: number[] = [];
  messageTap.fn = (dir, msg) => {
    if (dir === "from-worker" && msg.type === "ready") startupMs.push(msg.startupMs);
  };
  try {
    const dm = await DistributedModel.create({ model: spec, config });
    await dm.fit(train, { epochs: 2 });
    return { weights: dm.getFlatWeights(), startupMs };
  } finally {
    messageTap.fn = null;
  }
}

for (const config of [
  { mode: "gradients", numWorkers: 2, batchSize: 32 },
  { mode: "synchronous", frequency: "epoch", numWorkers: 2, batchSize: 32 },
] as DistributedConfig[]) {
  test(`${config.mode}: a fit on reused threads trains the same weights as on fresh ones, and the threads wait idle after it`, async () => {
    await endIdleWorkers();
    const fresh = await fitReportingStartup(config);
    assert.equal(DistributedModel.activeWorkers(), 0, "no thread runs a task");
    assert.equal(idleWorkerCount(), 2, "both threads wait for the next group");
    const reused = await fitReportingStartup(config);
    assert.equal(idleWorkerCount(), 2, "the same two threads, none added");
    assert.deepEqual(reused.weights, fresh.weights);
    // A fresh thread compiles tfjs before it reports ready; a reused one has it loaded already.
    assert.ok(Math.max(...reused.startupMs) < Math.min(...fresh.startupMs), `startup ms fresh ${fresh.startupMs}, reused ${reused.startupMs}`);
    await endIdleWorkers();
    assert.equal(idleWorkerCount(), 0);
  });
}

test("predict on reused threads gives the same probabilities as on fresh ones", async () => {
  await endIdleWorkers();
  const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", numWorkers: 2, batchSize: 32 } });
  // More than one 256-row predict batch, so both threads predict.
  const rows = separableWindows(600, T, F, 4);
  const first = await dm.predict(rows.x, rows.count);
  assert.equal(idleWorkerCount(), 2);
  const again = await dm.predict(rows.x, rows.count);
  assert.deepEqual(again, first);
  await endIdleWorkers();
});

test("a failed group's threads are ended, not kept for the next group", async () => {
  await endIdleWorkers();
  const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", numWorkers: 2, batchSize: 32 } });
  await expectFitFailure(dm, train, { epochs: 2, faultInjection: { worker: 1, atEpoch: 0, kind: "throw" } }, /worker 1 failed: injected fault \(throw\)/);
  assert.equal(idleWorkerCount(), 0);
  // The next fit starts fresh threads and succeeds.
  await dm.fit(train, { epochs: 1 });
  assert.equal(idleWorkerCount(), 2);
  await endIdleWorkers();
});

test("idle threads do not keep a process alive: a script that fits exits at once", () => {
  const root = path.resolve(__dirname, "..", "..", "..");
  const script = `
    const { DistributedModel } = require(${JSON.stringify(path.join(root, "dist/lib/distributed/distributed-model.js"))});
    const { idleWorkerCount } = require(${JSON.stringify(path.join(root, "dist/lib/distributed/worker-pool.js"))});
    const { separableWindows } = require(${JSON.stringify(path.join(root, "dist/test/fixtures/synthetic-windows.js"))});
    (async () => {
      const dm = await DistributedModel.create({ model: ${JSON.stringify(spec)}, config: { mode: "gradients", numWorkers: 2, batchSize: 32 } });
      await dm.fit(separableWindows(128, ${T}, ${F}, 1), { epochs: 1 });
      console.log("idle " + idleWorkerCount());
      globalThis.fitDoneAt = Date.now();
      process.on("exit", () => console.log("exit after " + (Date.now() - globalThis.fitDoneAt) + " ms"));
    })();`;
  const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /idle 2/);
  const ms = Number(/exit after (\d+) ms/.exec(run.stdout)?.[1]);
  // The pool would end them after 5 s; unref'd, they are no reason to wait at all.
  assert.ok(ms < 2000, `the process exited ${ms} ms after its fit`);
});
