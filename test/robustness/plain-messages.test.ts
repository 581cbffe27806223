// Nothing executable crosses a thread: every message kind the trainer really sends (captured on a
// tiny fit, a predict and a failing fit) is plain data and survives structuredClone unchanged; the
// checks that enforce it reject functions and class instances before anything is posted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { ParamStore } from "../../lib/distributed/param-store";
import { assertPlainMessage, MainToWorker, WorkerToMain } from "../../lib/distributed/protocol";
import { messageTap, runWorkerGroup } from "../../lib/distributed/worker-group";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

test("assertPlainMessage accepts plain data and typed arrays, rejects anything executable or with a class", () => {
  const store = ParamStore.create(4, 1);
  assertPlainMessage({ a: 1, b: "x", c: [true, null, undefined], d: new Float32Array(3), e: new SharedArrayBuffer(8), f: new ArrayBuffer(2), g: Object.create(null) });
  assertPlainMessage({ handles: store.handles });
  const bad: [unknown, RegExp][] = [
    [{ f: () => 1 }, /message\.f is a function/],
    [{ store }, /message\.store is an instance of ParamStore/],
    [{ m: new Map() }, /instance of Map/],
    [{ d: new Date() }, /instance of Date/],
    [{ e: new Error("x") }, /instance of Error/],
    [{ s: Symbol("s") }, /is a symbol/],
    [{ n: 1n }, /is a bigint/],
    [{ v: new DataView(new ArrayBuffer(4)) }, /DataView/],
    [{ deep: { list: [{ fn: function named() {} }] } }, /message\.deep\.list\[0\]\.fn is a function/],
  ];
  for (const [value, pattern] of bad) assert.throws(() => assertPlainMessage(value), (e: Error) => e instanceof TypeError && pattern.test(e.message) && !e.message.includes("\n"));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => assertPlainMessage(cyclic), /refers back to itself/);
});

test("runWorkerGroup refuses a task that is not plain data before starting any worker", async () => {
  const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 2, features: 1 } };
  const store = ParamStore.create(1, 1);
  const task = { kind: "predict", workerId: 0, spec: { ...spec, build: () => null }, store: store.handles, x: new Float32Array(2), count: 1, batchSize: 1 };
  await assert.rejects(runWorkerGroup([{ task: task as never, transfer: [] }], { onMessage: () => undefined }), /init message of worker 0\.task\.spec\.build is a function/);
  assert.equal(DistributedModel.activeWorkers(), 0);
});

test("every message kind of a real fit, predict and failure is plain and structured-clones unchanged", async () => {
  const spec: ModelSpec = { type: "rnn", options: { kind: "lstm", timesteps: 4, features: 2, units: [3], seed: 1 } };
  const data = separableWindows(48, 4, 2, 7);
  const seen = new Map<string, number>();
  const problems: string[] = [];
  messageTap.fn = (direction, msg: MainToWorker | WorkerToMain) => {
    const kind = msg.type === "init" ? `init:${msg.task.kind}` : msg.type === "epoch" && msg.weights ? "epoch+weights" : msg.type;
    seen.set(kind, (seen.get(kind) ?? 0) + 1);
    try {
      assertPlainMessage(msg); // checked here, before the transfer detaches its buffers
      assert.deepStrictEqual(structuredClone(msg), msg);
    } catch (err) {
      problems.push(`${direction} ${kind}: ${(err as Error).message.split("\n")[0]}`);
    }
  };
  try {
    const dm = await DistributedModel.create({ model: spec, config: { mode: "synchronous", frequency: "epoch", numWorkers: 2, batchSize: 8 } });
    await dm.fit(data, { epochs: 2, validationSplit: 0.25, onEpochEnd: () => undefined });
    await dm.predict(data.x, data.count);
    await assert.rejects(dm.fit(data, { epochs: 1, faultInjection: { worker: 0, atEpoch: 0, kind: "throw" } }), /injected fault/);
  } finally {
    messageTap.fn = null;
  }
  assert.deepEqual(problems, []);
  const kinds = [...seen.keys()].sort();
  assert.deepEqual(kinds, ["done", "epoch", "epoch+weights", "failed", "init:fit", "init:predict", "predictions", "progress", "ready"].sort(), `kinds seen: ${kinds}`);
});
