// Files read back from disk are validated before use: a saved model (distributed.json, model.json,
// weights.bin) and a run's resume state (run-state.json, checkpoints), each tampered with in ways
// that must be refused with a one-line error naming the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import type { ModelSpec } from "../../lib/model/spec";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { loadCheckpoint, readRunState, RUN_STATE_JSON } from "../../lib/pipeline/checkpoint";

const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: 4, features: 2, units: [3], seed: 1 } };
const config = { mode: "asynchronous", frequency: "epoch", numWorkers: 2, batchSize: 8 } as const;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function expectRefused(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(DistributedModel.load(dir), (e: Error) => {
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

test("DistributedModel.load refuses tampered distributed.json, model.json and weights.bin", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tampered-model-"));
  try {
    const dm = await DistributedModel.create({ model: spec, config });
    await dm.save(dir);
    const djson = path.join(dir, "distributed.json");
    const mjson = path.join(dir, "model.json");
    const wbin = path.join(dir, "weights.bin");
    const meta: Json = JSON.parse(fs.readFileSync(djson, "utf8"));
    const model: Json = JSON.parse(fs.readFileSync(mjson, "utf8"));
    const weights = fs.readFileSync(wbin);
    const F = djson.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const metaCases: [Json | string, RegExp][] = [
      [{ ...meta, model: { ...meta.model, type: "transformer" } }, new RegExp(`^${F}: model spec\\.type must be one of 'rnn', 'original'; got "transformer"$`)],
      [{ ...meta, model: { ...meta.model, options: { ...meta.model.options, kind: "conv1d" } } }, new RegExp(`^${F}: model spec\\.options\\.kind must be one of`)],
      [{ ...meta, model: { ...meta.model, options: { ...meta.model.options, activation: "eval" } } }, new RegExp(`^${F}: model spec\\.options has unknown key\\(s\\) activation`)],
      [{ ...meta, weightCount: meta.weightCount + 1 }, new RegExp(`^${F}: weightCount ${meta.weightCount + 1} does not match the model's ${meta.weightCount}$`)],
      [{ ...meta, hook: "require('child_process')" }, new RegExp(`^${F} has unknown key\\(s\\) hook`)],
      [{ ...meta, config: { ...meta.config, workers: 3 } }, new RegExp(`^${F}: config has unknown key\\(s\\) workers`)],
      [{ ...meta, version: 2 }, /version must be an integer in \[1, 1\]/],
      ['{"format": "fall-detection-distributed",', new RegExp(`^${F}: invalid JSON`)],
    ];
    for (const [value, pattern] of metaCases) {
      fs.writeFileSync(djson, typeof value === "string" ? value : JSON.stringify(value));
      await expectRefused(dir, pattern);
    }
    fs.writeFileSync(djson, JSON.stringify(meta));

    const manifest = model.weightsManifest[0].weights as Json[];
    const modelCases: [Json | string, RegExp][] = [
      [{ ...model, weightsManifest: [{ ...model.weightsManifest[0], weights: manifest.slice(1) }] }, /: \d+ weights saved, model has \d+$/],
      [{ ...model, weightsManifest: [{ ...model.weightsManifest[0], weights: [{ ...manifest[0], shape: [99, 1] }, ...manifest.slice(1)] }] }, /weight .* is float32 \[99,1\], model expects float32/],
      [{ ...model, weightsManifest: [{ ...model.weightsManifest[0], weights: [{ ...manifest[0], dtype: "int32" }, ...manifest.slice(1)] }] }, /is int32 .* model expects float32/],
      [{ ...model, weightsManifest: "weights.bin" }, /weightsManifest must hold one group/],
      ["{ not json", /model\.json: invalid JSON/],
    ];
    for (const [value, pattern] of modelCases) {
      fs.writeFileSync(mjson, typeof value === "string" ? value : JSON.stringify(value));
      await expectRefused(dir, pattern);
    }
    fs.writeFileSync(mjson, JSON.stringify(model));

    fs.writeFileSync(wbin, weights.subarray(0, weights.length - 4));
    await expectRefused(dir, /weights\.bin has \d+ bytes, need \d+$/);
    const nan = Buffer.from(weights);
    nan.writeFloatLE(NaN, 8);
    fs.writeFileSync(wbin, nan);
    await expectRefused(dir, /weights\.bin: weight 2 is NaN; weights must be finite$/);
    fs.writeFileSync(wbin, weights);
    const back = await DistributedModel.load(dir);
    assert.deepEqual(back.getFlatWeights(), dm.getFlatWeights(), "the untampered files load");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a resumed run's run-state.json and checkpoint are validated before use", () => {
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "tampered-state-"));
  try {
    const file = path.join(staging, RUN_STATE_JSON);
    const good = {
      format: "fall-detection-run-state", version: 1, pid: 12345,
      options: { ...PLAIN_PIPELINE_OPTIONS, epochs: 3, folds: 2, data: "/d", out: "/o" },
      data: { source: "urfd", files: [{ path: "/d/a.csv", bytes: 1, sha256: "00" }], note: "n" },
      folds: 2, completedFolds: [1],
      current: { fold: 2, lastEpoch: 0, checkpoint: "resume/fold-2-epoch-0.bin", weightCount: 4, merged: { loss: [0.7], acc: [0.5] } },
      startedAt: "t", updatedAt: "t",
    };
    fs.writeFileSync(file, JSON.stringify(good));
    assert.equal(readRunState(staging).current?.lastEpoch, 0);
    const cases: [Json, RegExp][] = [
      [{ ...good, extra: 1 }, /unknown key\(s\) extra/],
      [{ ...good, options: { ...good.options, epochs: 0 } }, /--epochs expects a positive integer, got "0"/],
      [{ ...good, options: { ...good.options, mode: "elastic" } }, /--mode must be one of/],
      [{ ...good, options: { ...good.options, shell: "rm -rf /" } }, /unknown option\(s\) shell/],
      [{ ...good, options: { ...good.options, workers: "2" } }, /--workers holds "2", not a number/],
      [{ ...good, completedFolds: [1, 3] }, /completedFolds\[1\] must be an integer in \[1, 2\]/],
      [{ ...good, current: { ...good.current, checkpoint: "../../etc/passwd" } }, /current\.checkpoint must be resume\/fold-K-epoch-E\.bin/],
      [{ ...good, current: { ...good.current, lastEpoch: 3 } }, /current\.lastEpoch must be an integer in \[0, 2\]/],
      [{ ...good, current: { ...good.current, fold: 1 } }, /current\.fold 1 is also completed/],
      [{ ...good, current: { ...good.current, merged: { loss: [], acc: [] } } }, /current\.merged must hold loss and acc for 1 epoch/],
    ];
    for (const [value, pattern] of cases) {
      fs.writeFileSync(file, JSON.stringify(value));
      assert.throws(() => readRunState(staging), (e: Error) => e.message.startsWith(`${file}: `) && pattern.test(e.message) && !e.message.includes("\n"), JSON.stringify(pattern));
    }
    fs.writeFileSync(file, "{");
    assert.throws(() => readRunState(staging), /run-state\.json: invalid JSON/);

    const ckpt = path.join(staging, "resume", "fold-2-epoch-0.bin");
    fs.mkdirSync(path.dirname(ckpt));
    fs.writeFileSync(ckpt, Buffer.from(new Float32Array([1, 2, 3]).buffer));
    assert.throws(() => loadCheckpoint(staging, good.current, 4), /holds 3 weights \(run-state says 4\), the model has 4$/);
    fs.writeFileSync(ckpt, Buffer.from(new Float32Array([1, 2, Infinity, 4]).buffer));
    assert.throws(() => loadCheckpoint(staging, good.current, 4), /weight 2 is Infinity; a checkpoint must be finite$/);
    fs.writeFileSync(ckpt, Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
    assert.deepEqual(Array.from(loadCheckpoint(staging, good.current, 4)), [1, 2, 3, 4]);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
});
