import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { PLAIN_PIPELINE_OPTIONS, parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, weightAveragingConfig } from "../../lib/pipeline/options";

const sync = ["--mode", "synchronous", "--workers", "8"];

test("--average-moments, --lr-scaling, --warmup-epochs: off with the default mode, synchronous only, checked once with one-line errors", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.averageMoments === false && d.lrScaling === "none" && d.warmupEpochs === 0);
  const o = parsePipelineArgs([...sync, "--average-moments", "--lr-scaling", "linear", "--warmup-epochs", "2"]);
  assert.ok(o !== "help");
  assert.deepEqual(weightAveragingConfig(o), { mode: "synchronous", frequency: "batch", averageMoments: true, lrScaling: "linear", warmupEpochs: 2 });
  const plain = parsePipelineArgs([...sync, "--lr-scaling", "none", "--frequency", "epoch"]);
  assert.ok(plain !== "help");
  assert.deepEqual(weightAveragingConfig(plain), { mode: "synchronous", frequency: "epoch" }, "nothing added when the remedies are off (Elephas's plain rule)");
  for (const [argv, re] of [
    [["--average-moments"], /--average-moments .*needs --mode synchronous, not gradients/],
    [["--mode", "hogwild", "--lr-scaling", "linear"], /--lr-scaling .*needs --mode synchronous, not hogwild/],
    [[...sync, "--lr-scaling", "cubic"], /--lr-scaling must be one of none\|linear\|sqrt/],
    [[...sync, "--lr-scaling", "none", "--warmup-epochs", "2"], /--warmup-epochs .*give --lr-scaling/],
    [[...sync, "--lr-scaling", "linear", "--warmup-epochs", "30"], /--warmup-epochs 30 must be fewer than --epochs 30/],
    [[...sync, "--average-moments", "yes"], /unknown|unexpected|too many|argument/i],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && !e.message.includes("\n") && re.test(e.message), argv.join(" "));
  }
  // Across MPI ranks too (test/cluster/remedies-across-ranks.test.ts trains them there).
  const ranks = parsePipelineArgs(["--mode", "synchronous", "--average-moments", "--lr-scaling", "sqrt", "--cluster", "mpi", "--ranks", "2"]);
  assert.ok(ranks !== "help");
  assert.deepEqual(weightAveragingConfig(ranks), { mode: "synchronous", frequency: "batch", averageMoments: true, lrScaling: "sqrt", warmupEpochs: 2 });
  assert.match(pipelineHelp(), /--average-moments {2,}with --mode synchronous/);
  const { averageMoments: _a, lrScaling: _l, warmupEpochs: _w, ...older } = PLAIN_PIPELINE_OPTIONS;
  const back = validateStoredOptions(older, "run-state.json");
  assert.ok(back.averageMoments === false && back.lrScaling === "none" && back.warmupEpochs === 0, "a run from before the flags takes their defaults");
  assert.equal(validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, mode: "synchronous", averageMoments: true }, "run-state.json").averageMoments, true);
});

test("--push and --max-staleness: deltas and no bound by default (gradients with --mode asynchronous); gradients for asynchronous and hogwild, every batch, on threads or ranks; one-line errors", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.push === "deltas");
  const o = parsePipelineArgs(["--mode", "hogwild", "--push", "gradients", "--workers", "8"]);
  assert.ok(o !== "help");
  assert.deepEqual(weightAveragingConfig(o), { mode: "hogwild", push: "gradients", frequency: "batch" });
  const ranks = parsePipelineArgs(["--mode", "asynchronous", "--push", "gradients", "--cluster", "mpi", "--ranks", "2"]);
  assert.ok(ranks !== "help" && ranks.push === "gradients" && ranks.cluster === "mpi", "across MPI ranks too");
  for (const [argv, re] of [
    [["--push", "gradients"], /--push .*needs --mode asynchronous or hogwild, not gradients/],
    [["--mode", "asynchronous", "--push", "gradients", "--frequency", "epoch"], /--push gradients pushes every batch's gradient: drop --frequency epoch/],
    [["--mode", "asynchronous", "--push", "gradients", "--frequency", "batch", "--sync-every", "2"], /drop --frequency epoch and --sync-every/],
    [["--mode", "asynchronous", "--push", "weights"], /--push must be one of deltas\|gradients/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && !e.message.includes("\n") && re.test(e.message), argv.join(" "));
  }
  const bounded = parsePipelineArgs(["--mode", "asynchronous", "--push", "deltas", "--max-staleness", "4"]);
  assert.ok(bounded !== "help");
  assert.deepEqual(weightAveragingConfig(bounded), { mode: "asynchronous", maxStaleness: 4 });
  assert.throws(() => parsePipelineArgs(["--max-staleness", "4"]), (e: unknown) => e instanceof UsageError && /--max-staleness .*needs --mode asynchronous or hogwild, not gradients/.test(e.message));
  const { push: _p, maxStaleness: _s, ...older } = PLAIN_PIPELINE_OPTIONS;
  const back = validateStoredOptions(older, "run-state.json");
  assert.ok(back.push === "deltas" && back.maxStaleness === null, "a run from before the flags takes their defaults");
  assert.equal(validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, mode: "hogwild", maxStaleness: 2 }, "run-state.json").maxStaleness, 2);
});

test("a run with the remedies says in metrics.json training.averaging which rule trained it", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "remedy-run-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 3, falls: 6, adls: 6 }));
    const opts = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, mode: "synchronous" as const, workers: 2, epochs: 2, window: 16, stride: 8, ensemble: 1, averageMoments: true, lrScaling: "linear" as const, warmupEpochs: 1, out: path.join(tmp, "out") };
    const { metrics } = await runPipeline(opts, { log: () => undefined });
    assert.match(metrics.training.averaging, /^weights averaged weighted by rows after each epoch, Adam's moments and step count averaged with them, every worker continuing from the averaged state; learning rate × 2 \(the linear scaling rule of Goyal et al\. 2017, 2 workers\), reached by a linear warm-up from 1× over the first 1 epoch$/);
    assert.equal(metrics.config.averageMoments, true);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
