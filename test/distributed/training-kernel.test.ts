import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { DistributedModel } from "../../lib/distributed";
import { urfdShapedWindows } from "../../lib/distributed/measure-throughput";
import { fusedRnnStatus } from "../../lib/model/fused-rnn";

const spec = { type: "rnn" as const, options: { kind: "gru" as const, timesteps: 32, features: 16, units: [8] } };
const config = { mode: "synchronous" as const, frequency: "epoch" as const, numWorkers: 2, batchSize: 32 };

test("fit reports which kernel trained: the whole step native where the kernel is built", { skip: fusedRnnStatus().available ? false : "fused kernel not built" }, async () => {
  const model = await DistributedModel.create({ model: spec, config });
  const fit = await model.fit(urfdShapedWindows(128), { epochs: 1 });
  assert.equal(fit.trainingKernel, "fused-native-step");
  assert.equal(fit.trainingKernelNote, undefined);
});

test("with FALL_RNN_KERNEL=tfjs every worker trains on tfjs-layers and fit says why", () => {
  const modulePath = path.resolve(__dirname, "..", "..", "lib", "distributed", "index.js");
  const windowsPath = path.resolve(__dirname, "..", "..", "lib", "distributed", "measure-throughput.js");
  const script = `
    const { DistributedModel } = require(${JSON.stringify(modulePath)});
    const { urfdShapedWindows } = require(${JSON.stringify(windowsPath)});
    (async () => {
      const model = await DistributedModel.create({ model: ${JSON.stringify(spec)}, config: ${JSON.stringify(config)} });
      const fit = await model.fit(urfdShapedWindows(128), { epochs: 1 });
      console.log(JSON.stringify({ kernel: fit.trainingKernel, note: fit.trainingKernelNote, loss: fit.merged.loss[0] }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const run = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, FALL_RNN_KERNEL: "tfjs" }, encoding: "utf8", timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim().split("\n").pop()!);
  assert.equal(out.kernel, "tfjs-layers");
  assert.equal(out.note, "FALL_RNN_KERNEL=tfjs");
  assert.ok(Number.isFinite(out.loss));
});
