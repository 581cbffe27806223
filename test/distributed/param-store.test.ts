import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { ParamStore, StoreAbortedError } from "../../lib/distributed/param-store";
import type { FixtureData } from "../fixtures/param-store-worker";

const FIXTURE = path.join(__dirname, "..", "fixtures", "param-store-worker.js");

function start(data: FixtureData): { worker: Worker; messages: unknown[]; exited: Promise<number> } {
  const worker = new Worker(FIXTURE, { workerData: data });
  const messages: unknown[] = [];
  worker.on("message", (m) => messages.push(m));
  const exited = new Promise<number>((resolve, reject) => {
    worker.on("exit", resolve);
    worker.on("error", reject);
  });
  return { worker, messages, exited };
}

test("read, write and addDelta on the shared vector; averageSlots is the weighted mean", () => {
  const store = ParamStore.create(3, 2, { slots: true });
  store.write(Float32Array.from([1, 2, 3]));
  store.addDelta(Float32Array.from([1, 1, -3]));
  assert.deepEqual(Array.from(store.read()), [2, 3, 0]);
  const other = ParamStore.attach(store.handles); // what a worker sees
  assert.deepEqual(Array.from(other.params), [2, 3, 0]);
  store.slot(0).set([0, 0, 0]);
  store.slot(1).set([4, 8, 12]);
  store.setSamples(0, 1);
  store.setSamples(1, 3);
  store.averageSlots();
  assert.deepEqual(Array.from(other.read()), [3, 6, 9]);
  assert.throws(() => store.write(new Float32Array(2)), RangeError);
  assert.throws(() => ParamStore.create(3, 1).slot(0), /no slots/);
});

test("lock: two threads doing 20,000 locked read-modify-writes each lose no update", async () => {
  const store = ParamStore.create(1, 2);
  const runs = [0, 1].map((party) => start({ handles: store.handles, party, op: "lock-increment", iterations: 20_000 }));
  await Promise.all(runs.map((r) => r.exited));
  for (const r of runs) assert.deepEqual(r.messages, [{ done: true }]);
  assert.equal(store.params[0], 40_000);
  assert.throws(() => store.unlock(), /not held/);
});

test("barrier: every party sees each round's weighted average before anyone moves on", async () => {
  const store = ParamStore.create(4, 2, { slots: true });
  const rounds = 25;
  const runs = [0, 1].map((party) => start({ handles: store.handles, party, op: "barrier-rounds", iterations: rounds }));
  await Promise.all(runs.map((r) => r.exited));
  // round r: party 0 holds r (1 sample), party 1 holds 1 + r (2 samples) → r + 2/3
  const expected = Array.from({ length: rounds }, (_, r) => ({ round: r, seen: Math.fround(r + 2 / 3) }));
  for (const r of runs) assert.deepEqual(r.messages, [...expected, { done: true }]);
});

test("abort releases a thread blocked at the barrier", async () => {
  const store = ParamStore.create(1, 2);
  const run = start({ handles: store.handles, party: 0, op: "wait-barrier", iterations: 0 });
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  store.abort();
  await run.exited;
  assert.ok(Date.now() - t0 < 1000, "released promptly");
  assert.deepEqual(run.messages, [{ error: "aborted" }]);
  assert.throws(() => store.lock(), StoreAbortedError);
});

test("isWaiting marks a party blocked at the barrier, and clears once it is released (the stall watchdog reads it)", async () => {
  const store = ParamStore.create(4, 2);
  const storePath = require.resolve("../../lib/distributed/param-store");
  const worker = new Worker(
    `const { parentPort, workerData } = require("node:worker_threads");
     const { ParamStore } = require(workerData.storePath);
     ParamStore.attach(workerData.handles).arriveAndWait(undefined, 1);
     parentPort.postMessage("released");`,
    { eval: true, workerData: { storePath, handles: store.handles } },
  );
  const released = new Promise((resolve) => worker.once("message", resolve));
  const deadline = Date.now() + 5000;
  while (!store.isWaiting(1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(store.isWaiting(1), true, "party 1 is waiting at the barrier");
  assert.equal(store.isWaiting(0), false);
  store.arriveAndWait(undefined, 0); // the last to arrive releases it
  assert.equal(await released, "released");
  assert.equal(store.isWaiting(1), false);
  await worker.terminate();
});
