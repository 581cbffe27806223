import { test } from "node:test";
import assert from "node:assert/strict";
import { generateSynthetic } from "../../lib/data/synthetic";
import { makeWindows } from "../../lib/data/windows";
import { trainFold } from "../../lib/pipeline/train-fold";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import type { ModelSpec } from "../../lib/model/spec";
import * as os from "node:os";
import { gemmStats } from "../../lib/model/fused-rnn";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";

const windows = makeWindows(generateSynthetic({ seed: 5, falls: 3, adls: 3 }), { T: 12, stride: 4 });
const spec: ModelSpec = { type: "rnn", options: { kind: "gru", timesteps: windows.T, features: windows.F, units: [6], seed: 2 } };

test("trainFold with averageEpochs K: the model's weights are the float64 mean of its last K epoch-end weights", async () => {
  const seen: Float32Array[] = [];
  const r = await trainFold(windows, windows, {
    spec, config: { mode: "gradients", numWorkers: 2, batchSize: 16, seed: 2 }, epochs: 5, smooth: 1, averageEpochs: 3,
    onEpochEnd: (end) => void seen.push(end.weights),
  });
  assert.equal(seen.length, 5);
  const got = r.models[0].getFlatWeights();
  const byHand = got.map((_, i) => Math.fround((seen[2][i] + seen[3][i] + seen[4][i]) / 3));
  assert.deepEqual(got, byHand);
  assert.notDeepEqual(got, seen[4], "the averaged weights are not the last epoch's");
  assert.ok(r.testProbs.every((p) => p > 0 && p < 1), "the averaged model scores the test side");
});

test("trainFold refuses averageEpochs outside [0, epochs], and with a resumed fit", async () => {
  const base = { spec, config: { mode: "gradients" as const, numWorkers: 1, batchSize: 16 }, epochs: 2, smooth: 1 };
  await assert.rejects(trainFold(windows, windows, { ...base, averageEpochs: 3 }), /averageEpochs must be an integer in \[0, epochs = 2\], got 3/);
  await assert.rejects(trainFold(windows, windows, { ...base, averageEpochs: 1, resume: { initialEpoch: 1, weights: new Float32Array(1) } }), /weight averaging needs the whole fit \(not resumed\)/);
});

test("--average-epochs: 0 (off) by default, at most --epochs (and every --grid-epochs), with --cluster mpi too; 0 when an older run-state.json lacks it", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.averageEpochs === 0);
  const o = parsePipelineArgs(["--average-epochs", "10"]);
  assert.ok(o !== "help" && o.averageEpochs === 10);
  for (const [argv, message] of [
    [["--average-epochs", "-1"], /--average-epochs expects a non-negative integer/],
    [["--average-epochs", "31"], /--average-epochs must be at most --epochs \(30\), got 31/],
    [["--average-epochs", "5", "--epochs", "4"], /--average-epochs must be at most --epochs \(4\), got 5/],
    [["--grid", "--grid-epochs", "4,8", "--average-epochs", "5"], /--average-epochs must be at most every --grid-epochs value \(4\), got 5/],
  ] as const) {
    assert.throws(() => parsePipelineArgs([...argv]), (e: unknown) => e instanceof UsageError && message.test(e.message));
  }
  assert.match(pipelineHelp(), /--average-epochs N .*\[default: 0\]/);
  const ranks = parsePipelineArgs(["--average-epochs", "5", "--cluster", "mpi", "--ranks", "2"]);
  assert.ok(ranks !== "help" && ranks.averageEpochs === 5 && ranks.cluster === "mpi");
  const { averageEpochs: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").averageEpochs, 0);
});

test("a run with --average-epochs 2 says so, and records it in metrics.json", async () => {
  await withSyntheticFolder("average-epochs", { seed: 3, falls: 4, adls: 4 }, async ({ dataDir, out }) => {
    const lines: string[] = [];
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 3, window: 16, stride: 4, folds: 2, ensemble: 2, averageEpochs: 2, out }, { log: (l) => lines.push(l) });
    assert.equal(lines.filter((l) => /^fold \d\/2: training on \d+ windows, 2 models from seeds .*, each model's weights averaged over its last 2 epochs, testing on/.test(l)).length, 2, lines.join("\n"));
    assert.equal(metrics.config.averageEpochs, 2);
    // Which machine computed it: a seed's figures repeat on one CPU kind and BLAS kernel set only.
    assert.equal(metrics.training.host?.cpu, os.cpus()[0].model);
    assert.equal(metrics.training.host?.blasCore, gemmStats()?.blasCore ?? null);
  });
});
