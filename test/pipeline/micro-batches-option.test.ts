import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { PLAIN_PIPELINE_OPTIONS, parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, weightAveragingConfig } from "../../lib/pipeline/options";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";

test("--micro-batches: the config's default unless given, mode gradients only, at most --batch-size; one-line errors", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.microBatches === null);
  assert.deepEqual(weightAveragingConfig(d), { mode: "gradients" }, "nothing added by default (the config's max(8, workers))");
  const o = parsePipelineArgs(["--micro-batches", "16", "--workers", "12"]);
  assert.ok(o !== "help");
  assert.deepEqual(weightAveragingConfig(o), { mode: "gradients", microBatches: 16 });
  for (const [argv, re] of [
    [["--micro-batches", "0"], /--micro-batches expects a positive integer/],
    [["--micro-batches", "8", "--mode", "synchronous"], /--micro-batches .*needs --mode gradients, not synchronous/],
    [["--micro-batches", "65"], /--micro-batches must be at most --batch-size \(64\)/],
    [["--micro-batches", "8", "--cluster", "mpi", "--ranks", "4", "--workers-per-rank", "4"], /--micro-batches 8 is fewer than the job's 16 workers .*give at least 16/],
    [["--grid", "--grid-batch-size", "8,64", "--micro-batches", "16"], /--micro-batches must be at most every --grid-batch-size value \(8\)/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && !e.message.includes("\n") && re.test(e.message), argv.join(" "));
  }
  const ranks = parsePipelineArgs(["--micro-batches", "16", "--cluster", "mpi", "--ranks", "2", "--workers-per-rank", "8"]);
  assert.ok(ranks !== "help" && ranks.microBatches === 16, "as many as the job's workers: accepted");
  assert.match(pipelineHelp(), /--micro-batches K .*with --mode gradients/);
  const { microBatches: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").microBatches, null, "a run from before the flag takes its default");
});

test("beyond 8 workers, --micro-batches K keeps 1 and K workers on the same model; the default (max(8, workers)) does not", async () => {
  await withSyntheticFolder("micro-batches", { seed: 4, falls: 4, adls: 4 }, async ({ dataDir, tmp }) => {
    const base = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, epochs: 2, window: 16, stride: 4, ensemble: 1, batchSize: 32 };
    // The trained model's weights, byte for byte.
    const scores = async (workers: number, microBatches: number | null, tag: string) => {
      const dir = path.join(tmp, tag);
      await runPipeline({ ...base, workers, microBatches, out: dir }, { log: () => {} });
      const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => path.basename(f) === "weights.bin");
      assert.equal(files.length, 1, files.join(", "));
      const bytes = fs.readFileSync(path.join(dir, files[0]));
      return bytes;
    };
    const one = await scores(1, 12, "w1-k12");
    const twelve = await scores(12, 12, "w12-k12");
    assert.ok(twelve.equals(one), "12 workers with 12 micro-batches train the 1-worker model with 12");
    const plain = await scores(12, null, "w12-default");
    const oneDefault = await scores(1, null, "w1-default");
    assert.ok(!plain.equals(oneDefault), "by default 12 workers cut 12 micro-batches and 1 worker 8: the sums differ");
    assert.ok(plain.equals(one), "the default at 12 workers is the 12-micro-batch model");
  });
});
