import { test } from "node:test";
import assert from "node:assert/strict";
import { averagingRule, configToJson, validateConfig, validateFitOptions } from "../../lib/distributed/config";
import { DistributedModel } from "../../lib/distributed/distributed-model";

const good = { mode: "synchronous", frequency: "epoch", numWorkers: 2, batchSize: 32 };

function oneLineTypeError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof TypeError, `expected TypeError, got ${String(err)}`);
    assert.ok(!err.message.includes("\n"), "message must be one line");
    assert.match(err.message, pattern);
    return true;
  });
}

test("validateConfig fills defaults", () => {
  assert.deepEqual(validateConfig(good), { ...good, syncEvery: 1, seed: 42, microBatches: 1, sampling: "global", maxStaleness: -1, push: "deltas", averageMoments: false, lrScaling: "none", warmupEpochs: 0 });
  assert.equal(validateConfig({ ...good, frequency: "batch", syncEvery: 4, seed: 7 }).syncEvery, 4);
  const resolved = validateConfig(good);
  assert.deepEqual(validateConfig(resolved), resolved, "idempotent");
});

test("config.sampling: 'global' by default, 'shards' for mode gradients only, anything else refused in one line", () => {
  assert.equal(validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 32 }).sampling, "global");
  const shards = validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 32, sampling: "shards" });
  assert.equal(shards.sampling, "shards");
  assert.deepEqual(validateConfig(configToJson(shards)), shards, "kept through distributed.json");
  assert.equal(configToJson(validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 32 })).sampling, undefined, "the default is not written");
  oneLineTypeError(() => validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 32, sampling: "random" }), /config\.sampling must be one of 'global', 'shards'/);
  oneLineTypeError(() => validateConfig({ ...good, sampling: "shards" }), /config\.sampling applies only to mode 'gradients'/);
});

test("validateConfig rejects bad modes, numbers and keys with one-line TypeErrors", () => {
  oneLineTypeError(() => validateConfig(null), /config must be an object/);
  oneLineTypeError(() => validateConfig({ ...good, mode: "sync" }), /config\.mode must be one of 'gradients', 'synchronous', 'asynchronous', 'hogwild'; got "sync"/);
  oneLineTypeError(() => validateConfig({ ...good, frequency: "step" }), /config\.frequency/);
  oneLineTypeError(() => validateConfig({ ...good, numWorkers: 0 }), /config\.numWorkers must be an integer in \[1, 64\]/);
  oneLineTypeError(() => validateConfig({ ...good, numWorkers: 1.5 }), /numWorkers/);
  oneLineTypeError(() => validateConfig({ ...good, batchSize: "32" }), /config\.batchSize/);
  oneLineTypeError(() => validateConfig({ ...good, syncEvery: 2 }), /syncEvery applies only to frequency 'batch'/);
  oneLineTypeError(() => validateConfig({ ...good, frequency: "batch", syncEvery: 0 }), /config\.syncEvery/);
  oneLineTypeError(() => validateConfig({ ...good, seed: -1 }), /config\.seed/);
  oneLineTypeError(() => validateConfig({ ...good, workers: 2 }), /unknown key\(s\) workers/);
  const { mode: _m, ...noMode } = good;
  oneLineTypeError(() => validateConfig(noMode), /config\.mode .*got undefined/);
});

test("validateFitOptions checks epochs, split, callbacks and the test-only fault hook", () => {
  assert.deepEqual(validateFitOptions({ epochs: 2 }, 2), { epochs: 2, initialEpoch: 0, validationSplit: 0, shuffle: true, stallTimeoutSec: 300 });
  assert.equal(validateFitOptions({ epochs: 3, initialEpoch: 2 }, 2).initialEpoch, 2);
  oneLineTypeError(() => validateFitOptions({ epochs: 3, initialEpoch: 3 }, 2), /fit options\.initialEpoch must be an integer in \[0, 2\]/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, onEpochEnd: "save" }, 2), /onEpochEnd must be a function/);
  assert.deepEqual(validateFitOptions({ epochs: 1, resourceLimits: { maxOldGenerationSizeMb: 64 } }, 2).resourceLimits, { maxOldGenerationSizeMb: 64 });
  oneLineTypeError(() => validateFitOptions({ epochs: 1, resourceLimits: { maxOldGenerationSizeMb: 0 } }, 2), /resourceLimits\.maxOldGenerationSizeMb/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, resourceLimits: { heapMb: 64 } }, 2), /resourceLimits has unknown key\(s\) heapMb/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, resourceLimits: 64 }, 2), /resourceLimits must be an object/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, faultInjection: { worker: 0, atEpoch: 0, kind: "oom" } }, 2), /'oom' needs fit options\.resourceLimits/);
  oneLineTypeError(() => validateFitOptions({ epochs: 3, initialEpoch: 1, faultInjection: { worker: 0, atEpoch: 0, kind: "throw" } }, 2), /faultInjection\.atEpoch must be an integer in \[1, 2\]/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, faultInjection: { worker: 0, atEpoch: 0, atBatch: -1, kind: "throw" } }, 2), /faultInjection\.atBatch/);
  oneLineTypeError(() => validateFitOptions({ epochs: 0 }, 2), /fit options\.epochs/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, validationSplit: 1 }, 2), /validationSplit/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, onProgress: 3 }, 2), /onProgress must be a function/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, verbose: 1 }, 2), /unknown key/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, faultInjection: { worker: 2, atEpoch: 0, kind: "throw" } }, 2), /faultInjection\.worker/);
  oneLineTypeError(() => validateFitOptions({ epochs: 1, faultInjection: { worker: 0, atEpoch: 0, kind: "segv" } }, 2), /faultInjection\.kind/);
});

test("DistributedModel validates spec and config when constructed", () => {
  const model = { type: "rnn", options: { kind: "gru", timesteps: 4, features: 2 } } as const;
  oneLineTypeError(() => new DistributedModel({ model, config: { ...good, mode: "elastic" } as never }), /config\.mode/);
  oneLineTypeError(() => new DistributedModel({ model: { type: "cnn" } as never, config: good as never }), /model spec\.type/);
});

test("the weight-averaging remedies: synchronous only, checked once, stated in the averaging rule", () => {
  const remedies = validateConfig({ ...good, numWorkers: 8, averageMoments: true, lrScaling: "linear", warmupEpochs: 2 });
  assert.equal(remedies.averageMoments, true);
  assert.deepEqual(validateConfig(remedies), remedies, "idempotent");
  assert.deepEqual(configToJson(remedies), { mode: "synchronous", frequency: "epoch", numWorkers: 8, batchSize: 32, seed: 42, averageMoments: true, lrScaling: "linear", warmupEpochs: 2 });
  assert.match(averagingRule(remedies), /Adam's moments and step count averaged with them, every worker continuing from the averaged state; learning rate × 8 \(the linear scaling rule of Goyal et al\. 2017, 8 workers\), reached by a linear warm-up from 1× over the first 2 epochs/);
  assert.match(averagingRule(validateConfig({ ...good, numWorkers: 4, lrScaling: "sqrt" })), /learning rate × 2 \(the square-root scaling rule, 4 workers\), from the first batch/);
  assert.match(averagingRule(validateConfig(good)), /each worker with its own Adam state$/);
  assert.deepEqual(configToJson(validateConfig(good)), { ...good, seed: 42 }, "defaults stay out of distributed.json");
  oneLineTypeError(() => validateConfig({ ...good, mode: "asynchronous", averageMoments: true }), /averageMoments applies only to mode 'synchronous'/);
  oneLineTypeError(() => validateConfig({ ...good, mode: "gradients", frequency: "batch", lrScaling: "linear" }), /lrScaling applies only to mode 'synchronous'/);
  oneLineTypeError(() => validateConfig({ ...good, averageMoments: "yes" }), /averageMoments must be a boolean/);
  oneLineTypeError(() => validateConfig({ ...good, lrScaling: "quadratic" }), /config\.lrScaling must be one of 'none', 'linear', 'sqrt'/);
  oneLineTypeError(() => validateConfig({ ...good, warmupEpochs: 2 }), /warmupEpochs warms up a scaled learning rate/);
  oneLineTypeError(() => validateConfig({ ...good, lrScaling: "linear", warmupEpochs: -1 }), /config\.warmupEpochs/);
});
