// config.push 'gradients' (asynchronous and hogwild, Downpour SGD): every batch a worker pushes its
// gradient and the store applies it with one shared Adam state.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { averagingRule, configToJson, DistributedConfig, validateConfig } from "../../lib/distributed/config";
import type { Staleness } from "../../lib/distributed/protocol";
import { SharedAdam } from "../../lib/distributed/shared-adam";
import { adamUpdate, adamUpdateJs, AdamHyper } from "../../lib/model/adam-update";
import { adamKernel } from "../../lib/model/fused-rnn";
import { NATIVE_STEP_ENV } from "../../lib/model/native-plan";
import type { ModelSpec } from "../../lib/model/spec";
import { initBackend } from "../../lib/backend";
import { separableWindows } from "../fixtures/synthetic-windows";

const hyper: AdamHyper = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * scale;
  });
}

/** |a − b| within float32 rounding of a few operations, element by element. */
function close(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * (1 + Math.abs(a[i])), `${what} ${i}: ${a[i]} against ${b[i]}`);
}

test("adamUpdateJs is the native Adam kernel and tfjs's AdamOptimizer to float rounding", async () => {
  await initBackend();
  const n = 257;
  const start = randomArray(n, 1);
  const grads = Array.from({ length: 20 }, (_, k) => randomArray(n, 100 + k, k % 3 === 0 ? 1e-3 : 2));
  const js = { w: start.slice(), m: new Float32Array(n), v: new Float32Array(n), acc: Float32Array.of(hyper.beta1, hyper.beta2) };
  for (const g of grads) adamUpdateJs(js.w, g, js.m, js.v, js.acc, hyper);
  const native = adamKernel();
  if (native) {
    const nat = { w: start.slice(), m: new Float32Array(n), v: new Float32Array(n), acc: Float32Array.of(hyper.beta1, hyper.beta2) };
    for (const g of grads) adamUpdate(nat.w, g, nat.m, nat.v, nat.acc, hyper);
    // The native build may fuse multiply-adds, so the last bit can differ.
    close(js.w, nat.w, "weight");
    close(js.m, nat.m, "m");
    close(js.v, nat.v, "v");
    assert.deepEqual(js.acc, nat.acc);
  }
  const variable = tf.variable(tf.tensor1d(start));
  const opt = tf.train.adam(hyper.learningRate, hyper.beta1, hyper.beta2, hyper.epsilon);
  for (const g of grads) tf.tidy(() => opt.applyGradients([{ name: variable.name, tensor: tf.tensor1d(g) }]));
  close(variable.dataSync(), js.w, "tfjs weight");
  assert.notDeepEqual(js.w, start, "the steps moved the weights");
  variable.dispose();
  opt.dispose();
});

test("SharedAdam: a fresh optimizer's state on reset, every applied step counted, views of one buffer agree", () => {
  const buffer = SharedAdam.create(5);
  const a = new SharedAdam(buffer, 5);
  const b = new SharedAdam(buffer, 5);
  a.reset(hyper);
  assert.deepEqual([...b.accBetas], [Math.fround(0.9), Math.fround(0.999)]);
  const w = new Float32Array(5);
  a.apply(w, Float32Array.of(1, -1, 0.5, 0, 2), hyper);
  b.apply(w, Float32Array.of(1, -1, 0.5, 0, 2), hyper);
  assert.equal(a.steps(), 2);
  assert.ok(b.m[0] > 0 && w[0] < 0 && w[1] > 0 && w[3] === 0, `m ${b.m}, w ${w}`);
  assert.throws(() => new SharedAdam(buffer, 6), /SharedAdam: \d+ bytes for 6 weights/);
});

const T = 6;
const F = 2;
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: T, features: F, units: [6], dropout: 0.2, seed: 3, learningRate: 0.01 } };
const data = separableWindows(150, T, F, 5);
// Ten times the rows: each worker's fit then outlasts a scheduler slice, so three workers overlap on a loaded machine too.
const overlapping = separableWindows(1500, T, F, 5);

async function fitWith(nativeStep: boolean, config: DistributedConfig, epochs = 4, windows = data) {
  const before = process.env[NATIVE_STEP_ENV];
  if (nativeStep) delete process.env[NATIVE_STEP_ENV];
  else process.env[NATIVE_STEP_ENV] = "0";
  try {
    const dm = await DistributedModel.create({ model: spec, config });
    const fit = await dm.fit(windows, { epochs });
    return { dm, fit, weights: dm.getFlatWeights() };
  } finally {
    if (before === undefined) delete process.env[NATIVE_STEP_ENV];
    else process.env[NATIVE_STEP_ENV] = before;
  }
}

for (const nativeStep of [true, false]) {
  test(`one worker pushing gradients trains as one worker pushing its deltas every batch (same seeds and masks; ${nativeStep ? "native step" : "tfjs step"})`, async () => {
    const push = await fitWith(nativeStep, { mode: "asynchronous", push: "gradients", numWorkers: 1, batchSize: 16 });
    const deltas = await fitWith(nativeStep, { mode: "asynchronous", frequency: "batch", numWorkers: 1, batchSize: 16 });
    assert.equal(push.fit.trainingKernel.startsWith("fused-native-step"), nativeStep && deltas.fit.trainingKernel.startsWith("fused-native-step"));
    // The delta path adds (after − before) to the store, which rounds; the Adam steps are the same.
    push.fit.merged.loss.forEach((l, e) => assert.ok(Math.abs(l - deltas.fit.merged.loss[e]) < 1e-5, `epoch ${e}: loss ${l} against ${deltas.fit.merged.loss[e]}`));
    let worst = 0;
    push.weights.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - deltas.weights[i]))));
    assert.ok(worst < 1e-4, `largest weight difference ${worst}`);
    assert.ok(push.fit.merged.loss[3] < push.fit.merged.loss[0], "it learned");
    assert.deepEqual(push.fit.staleness, { pushes: 40, mean: 0, max: 0, dropped: 0 }, "10 batches an epoch, one push each, never stale alone");
  });
}

test("asynchronous / hogwild pushing gradients: every push counted, staleness measured, maxStaleness 0 drops stale ones", async () => {
  for (const mode of ["asynchronous", "hogwild"] as const) {
    let s = null as Staleness | null;
    // Staleness needs the workers to overlap; a loaded machine may run one after the other, so up to three fits.
    for (let attempt = 0; attempt < 3 && !(s && s.max >= 1); attempt++) {
      const { fit } = await fitWith(true, { mode, push: "gradients", numWorkers: 3, batchSize: 8, seed: 3 }, 2, overlapping);
      s = fit.staleness!;
      assert.equal(s.pushes, fit.workers.reduce((a, w) => a + Math.ceil(w.samples / 8), 0) * 2, `${mode}: one push a batch`);
      assert.equal(s.dropped, 0);
      assert.match(fit.averaging, /one shared Adam state/);
    }
    assert.ok(s!.max >= 1 && s!.mean > 0, `${mode}: three workers see each other's pushes: ${JSON.stringify(s)}`);
    let b = null as Staleness | null;
    for (let attempt = 0; attempt < 3 && !(b && b.dropped > 0); attempt++) {
      b = (await fitWith(true, { mode, push: "gradients", numWorkers: 3, batchSize: 8, seed: 3, maxStaleness: 0 }, 2, overlapping)).fit.staleness!;
    }
    assert.ok(b!.dropped > 0 && b!.dropped <= b!.pushes, `${mode}, maxStaleness 0: ${JSON.stringify(b)}`);
  }
});

test("config.push: 'deltas' by default, 'gradients' for asynchronous and hogwild every batch only, kept through distributed.json", () => {
  const base = { numWorkers: 2, batchSize: 16 };
  assert.equal(validateConfig({ ...base, mode: "asynchronous" }).push, "deltas");
  const push = validateConfig({ ...base, mode: "hogwild", push: "gradients" });
  assert.equal(push.frequency, "batch", "every batch unless told otherwise");
  assert.deepEqual(validateConfig(configToJson(push)), push);
  assert.equal(configToJson(validateConfig({ ...base, mode: "asynchronous" })).push, undefined, "the default is not written");
  assert.match(averagingRule(push), /without a lock/);
  const oneLine = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => e instanceof TypeError && re.test(e.message) && !e.message.includes("\n"));
  oneLine(() => validateConfig({ ...base, mode: "synchronous", push: "gradients" }), /config\.push 'gradients' applies only to modes 'asynchronous' and 'hogwild'/);
  oneLine(() => validateConfig({ ...base, mode: "gradients", push: "gradients" }), /applies only to modes/);
  oneLine(() => validateConfig({ ...base, mode: "asynchronous", push: "gradients", frequency: "epoch" }), /pushes every batch's gradient/);
  oneLine(() => validateConfig({ ...base, mode: "asynchronous", push: "gradients", frequency: "batch", syncEvery: 2 }), /syncEvery 1/);
  oneLine(() => validateConfig({ ...base, mode: "asynchronous", push: "weights" }), /config\.push must be one of 'deltas', 'gradients'/);
});
