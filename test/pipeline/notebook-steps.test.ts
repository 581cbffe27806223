// The notebooks' step files: what a notebook writes reads back typed and equal; a missing or bad
// field fails with one line naming the file and the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writePartitions, writeWindowSet, readWindowSet, concatWindowSets } from "../../lib/data";
import { configToJson, validateConfig } from "../../lib/distributed/config";
import { windowDataset, prepareHoldout } from "../../lib/pipeline/prepare";
import {
  DataStep, PrepareStep, TrainStep, readDataStep, readDistributedStep, readModelStep, readPrepareStep, readPreparedTest,
  readPreparedTrain, readTrainStep, writeStep,
} from "../../lib/pipeline/notebook-steps";
import { saveStep, stepFile } from "../../lib/run/notebook-run";

function tempRun(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "steps-"));
}

const dataStep: DataStep = {
  provenance: { source: "synthetic", dir: null, files: [], note: "synthetic data (seed 3)" },
  syntheticSeed: 3,
};

/** A real 02-prepare step over a small synthetic set, with its Arrow files in `dir`. */
function preparedRun(dir: string): PrepareStep {
  const ds = generateSynthetic({ seed: 3 });
  const window = { T: 16, stride: 8, withDiffs: true, diffLags: [1] };
  const prepared = prepareHoldout(windowDataset(ds, window).windows, { testFraction: 0.25, seed: 1 });
  const trainFiles = writePartitions(path.join(dir, "prepared"), prepared.train, 2, "train");
  const testFile = path.join(dir, "prepared", "test.arrow");
  writeWindowSet(testFile, prepared.test);
  const step: PrepareStep = {
    data: dataStep, window, seed: 1, fold: prepared.fold, scaler: prepared.scaler,
    trainFiles: trainFiles.map((f) => path.relative(dir, f)), testFile: path.relative(dir, testFile),
  };
  writeStep("prepare", step, dir);
  return step;
}

/** Overwrite one field of a saved step's value (the way a stale or hand-edited file looks). */
function corrupt(dir: string, step: "data" | "prepare" | "model" | "distributed" | "train", edit: (value: Record<string, unknown>) => void): void {
  const file = stepFile(step, dir);
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(doc.value);
  fs.writeFileSync(file, JSON.stringify(doc));
}

/** The error is one line, names the step file and matches `field`. */
function assertOneLine(run: () => unknown, file: string, field: RegExp): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    assert.ok(e.message.startsWith(file), `names ${file}: ${e.message}`);
    assert.match(e.message, field);
    return true;
  });
}

test("each step reads back what its notebook wrote, typed", () => {
  const dir = tempRun();
  writeStep("data", dataStep, dir);
  assert.deepEqual(readDataStep(dir), dataStep);

  const prep = preparedRun(dir);
  assert.deepEqual(readPrepareStep(dir), prep);

  const spec = { type: "rnn" as const, options: { kind: "gru" as const, timesteps: 16, features: 16, seed: 1 } };
  writeStep("model", { spec }, dir);
  assert.equal(readModelStep(dir).spec.options.kind, "gru");

  const config = validateConfig({ mode: "gradients", numWorkers: 2, batchSize: 64, seed: 1 });
  writeStep("distributed", { config: configToJson(config), epochs: 5 }, dir);
  const dist = readDistributedStep(dir);
  assert.deepEqual(configToJson(dist.config), configToJson(config));
  assert.equal(dist.epochs, 5);

  const train: TrainStep = { modelDir: "model", threshold: 0.4, smooth: 3, backend: "wasm", wallSec: 12.5, windowsPerSec: 900, merged: { loss: [0.7, 0.5], acc: [0.6, 0.8] } };
  writeStep("train", train, dir);
  assert.deepEqual(readTrainStep(dir), train);
});

test("the prepared Arrow files read back as 02 wrote them", () => {
  const dir = tempRun();
  const ds = generateSynthetic({ seed: 3 });
  const prep = preparedRun(dir);
  const windows = prepareHoldout(windowDataset(ds, prep.window).windows, { testFraction: 0.25, seed: 1 });
  const train = readPreparedTrain(prep, dir);
  const parts = concatWindowSets(prep.trainFiles.map((f) => readWindowSet(path.join(dir, f))));
  assert.equal(prep.trainFiles.length, 2);
  assert.equal(train.count, windows.train.count);
  assert.deepEqual(Array.from(train.x), Array.from(parts.x), "the partitions joined in file order");
  const test = readPreparedTest(prep, dir);
  assert.deepEqual(Array.from(test.x), Array.from(windows.test.x));
});

test("a missing step file names the notebook to run first", () => {
  const dir = tempRun();
  assert.throws(() => readPrepareStep(dir), /02-prepare\.json is missing: run notebooks\/02-prepare\.ipynb first/);
});

test("a bad field fails with one line naming the file and the field", () => {
  const dir = tempRun();
  writeStep("data", dataStep, dir);
  preparedRun(dir);
  writeStep("model", { spec: { type: "rnn", options: { kind: "lstm", timesteps: 16, features: 16, seed: 1 } } }, dir);
  writeStep("distributed", { config: configToJson(validateConfig({ mode: "synchronous", numWorkers: 1, batchSize: 32 })), epochs: 2 }, dir);
  writeStep("train", { modelDir: "model", threshold: 0.5, smooth: 1, backend: "wasm", wallSec: 1, windowsPerSec: 1, merged: { loss: [1], acc: [0.5] } }, dir);

  corrupt(dir, "data", (v) => { delete v.syntheticSeed; });
  assertOneLine(() => readDataStep(dir), stepFile("data", dir), /data\.syntheticSeed must be an integer >= 0; got undefined/);
  corrupt(dir, "data", (v) => { v.syntheticSeed = 3; v.provenance = { source: "mcfd", dir: null, files: [], note: "x" }; });
  assertOneLine(() => readDataStep(dir), stepFile("data", dir), /data\.provenance\.source must be 'urfd' or 'synthetic'/);

  const prepFile = stepFile("prepare", dir);
  corrupt(dir, "prepare", (v) => { (v.window as Record<string, unknown>).T = "32"; });
  assertOneLine(() => readPrepareStep(dir), prepFile, /prepare\.window\.T must be an integer >= 1; got "32"/);
  corrupt(dir, "prepare", (v) => { (v.window as Record<string, unknown>).T = 16; v.trainFiles = []; });
  assertOneLine(() => readPrepareStep(dir), prepFile, /prepare\.trainFiles must be an array of at least 1 strings/);
  corrupt(dir, "prepare", (v) => { v.trainFiles = ["a.arrow"]; (v.scaler as Record<string, unknown>).std = [1, 0]; });
  assertOneLine(() => readPrepareStep(dir), prepFile, /prepare\.scaler\.std\[1\] must be a finite number > 0/);
  corrupt(dir, "prepare", (v) => { v.scaler = { mean: [0], std: [1], featureNames: ["f"] }; v.fold = { trainSeq: [0, -1], testSeq: [] }; });
  assertOneLine(() => readPrepareStep(dir), prepFile, /prepare\.fold\.trainSeq\[1\] must be an integer >= 0; got -1/);
  corrupt(dir, "prepare", (v) => { v.fold = { trainSeq: [0], testSeq: [1] }; v.data = { provenance: { source: "urfd", dir: null, files: [], note: "x" }, syntheticSeed: 1 }; });
  assertOneLine(() => readPrepareStep(dir), prepFile, /prepare\.data\.provenance\.dir must be a non-empty string; got null/);

  corrupt(dir, "model", (v) => { (v.spec as { options: Record<string, unknown> }).options.kind = "transformer"; });
  assertOneLine(() => readModelStep(dir), stepFile("model", dir), /model spec\.options\.kind must be one of/);

  corrupt(dir, "distributed", (v) => { (v.config as Record<string, unknown>).mode = "sync"; });
  assertOneLine(() => readDistributedStep(dir), stepFile("distributed", dir), /config\.mode must be one of .*got "sync"/);
  corrupt(dir, "distributed", (v) => { (v.config as Record<string, unknown>).mode = "synchronous"; v.epochs = 0; });
  assertOneLine(() => readDistributedStep(dir), stepFile("distributed", dir), /distributed\.epochs must be an integer >= 1; got 0/);

  corrupt(dir, "train", (v) => { v.threshold = 1.5; });
  assertOneLine(() => readTrainStep(dir), stepFile("train", dir), /train\.threshold must be a finite number >= 0 and <= 1; got 1\.5/);
  corrupt(dir, "train", (v) => { v.threshold = 0.5; v.merged = { loss: [1, null], acc: [] }; });
  assertOneLine(() => readTrainStep(dir), stepFile("train", dir), /train\.merged\.loss\[1\] must be a finite number >= 0; got null/);
});

test("a file that is not a step file, or a value that is not an object, is refused", () => {
  const dir = tempRun();
  fs.writeFileSync(stepFile("train", dir), JSON.stringify({ modelDir: "model" }));
  assert.throws(() => readTrainStep(dir), /05-train\.json: not a step file/);
  saveStep("train", [1, 2], dir);
  assertOneLine(() => readTrainStep(dir), stepFile("train", dir), /train must be an object; got an array/);
});
