// Weight averaging's two remedies in the trainer: Adam's moments averaged with the weights (every
// worker continues from the average), and the learning-rate scaling rule (applied, not just stated).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { DistributedConfig } from "../../lib/distributed/config";
import { averageAdamStates, flatten } from "../../lib/distributed/weights";
import { NATIVE_STEP_ENV } from "../../lib/model/native-plan";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";
import type { ModelSpec } from "../../lib/model/spec";
import { separableWindows } from "../fixtures/synthetic-windows";

const spec = (learningRate = 0.01): ModelSpec => ({ type: "rnn", options: { kind: "gru", timesteps: 6, features: 2, units: [4], dropout: 0.2, seed: 3, learningRate } });
const data = separableWindows(101, 6, 2, 5); // 51 + 50 windows: 4 batches of 16 each, so whole step counts
const sync: DistributedConfig = { mode: "synchronous", frequency: "epoch", numWorkers: 2, batchSize: 16 };

/** Runs fit with FALL_NATIVE_STEP set as asked (workers copy the environment when they start). */
async function fitWith(nativeStep: boolean, config: DistributedConfig, lr?: number) {
  const before = process.env[NATIVE_STEP_ENV];
  if (nativeStep) delete process.env[NATIVE_STEP_ENV];
  else process.env[NATIVE_STEP_ENV] = "0";
  try {
    const dm = await DistributedModel.create({ model: spec(lr), config });
    const fit = await dm.fit(data, { epochs: 2 });
    return { dm, fit, weights: flatten(dm.getWeights()) };
  } finally {
    if (before === undefined) delete process.env[NATIVE_STEP_ENV];
    else process.env[NATIVE_STEP_ENV] = before;
  }
}

const kernelBuilt = fusedRnnStatus().available ? false : "fused kernel not built";
const paths = [
  { name: "the native step", native: true, kernel: "fused-native-step" },
  { name: "tfjs's Adam (FALL_NATIVE_STEP=0)", native: false, kernel: "fused-native" },
];

for (const p of paths) {
  test(`averageMoments with ${p.name}: after an exchange both workers hold the row-weighted mean of their Adam states`, { skip: kernelBuilt }, async () => {
    const { dm, fit, weights } = await fitWith(p.native, { ...sync, averageMoments: true });
    assert.equal(fit.trainingKernel, p.kernel);
    assert.match(fit.averaging, /Adam's moments and step count averaged with them/);
    const round = dm.lastMomentRound();
    assert.ok(round);
    assert.deepEqual(round.samples, [51, 50]);
    const [s0, s1] = round.sent;
    assert.notDeepEqual(s0.m, s1.m, "the workers' first moments differ before the exchange");
    assert.notDeepEqual(s0.v, s1.v, "and their second moments");
    assert.equal(s0.steps, 8, "two epochs of 4 batches, continued from the first exchange's mean");
    assert.ok(s0.m.some((x) => x !== 0), "Adam moved");
    assert.deepEqual(round.averaged, averageAdamStates(round.sent, round.samples));
    assert.deepEqual(round.held[0], round.averaged, "worker 0 continues from the average");
    assert.deepEqual(round.held[1], round.averaged, "worker 1 continues from the average");
    // Epoch 2 started from the averaged state: the model differs from plain weight averaging.
    const plain = await fitWith(p.native, sync);
    assert.equal(plain.dm.lastMomentRound(), null);
    assert.notDeepEqual(weights, plain.weights, "averaged moments changed the second epoch");
    assert.equal(DistributedModel.activeWorkers(), 0);
  });
}

for (const p of paths) {
  test(`lrScaling 'linear' with ${p.name}: 2 workers at rate r train as 2 workers at 2r; a warm-up changes that`, { skip: kernelBuilt }, async () => {
    const scaled = await fitWith(p.native, { ...sync, lrScaling: "linear" }, 0.01);
    const doubled = await fitWith(p.native, sync, 0.02);
    const base = await fitWith(p.native, sync, 0.01);
    assert.equal(scaled.fit.trainingKernel, p.kernel);
    assert.deepEqual(scaled.weights, doubled.weights, "the scaled rate is the one the steps used");
    assert.notDeepEqual(scaled.weights, base.weights);
    const warm = await fitWith(p.native, { ...sync, lrScaling: "linear", warmupEpochs: 1 }, 0.01);
    assert.notDeepEqual(warm.weights, scaled.weights, "warm-up: the first epoch ran below 2r");
    assert.notDeepEqual(warm.weights, base.weights, "and the second at 2r");
    assert.match(warm.fit.averaging, /learning rate × 2 \(the linear scaling rule of Goyal et al\. 2017, 2 workers\), reached by a linear warm-up from 1× over the first 1 epoch/);
  });
}

for (const p of paths) {
  test(`averageMoments with ${p.name} and one worker trains the plain one-worker model, bit for bit`, { skip: kernelBuilt }, async () => {
    const one = { ...sync, numWorkers: 1 };
    const averaged = await fitWith(p.native, { ...one, averageMoments: true });
    const plain = await fitWith(p.native, one);
    assert.ok(averaged.dm.lastMomentRound(), "the moments were exchanged");
    assert.deepEqual(averaged.weights, plain.weights, "the average of one Adam state is that state");
  });
}
