import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

/** Parsed as a --detector plain run: these options are measured against the plain ensemble. */
const parsePlain = (argv: readonly string[]) => parsePipelineArgs(["--detector", "plain", ...argv]);

test("--start-models: 16 by default (--detector deploy), 0 with --detector plain, below --window, unsmoothed and unpadded main models, urfd only, not with --grid; 0 when an older run-state.json lacks it", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.startModels === 0);
  const o = parsePlain(["--start-models", "16", "--smooth", "1", "--score-stride", "1", "--threshold-midpoint", "logit"]);
  assert.ok(o !== "help" && o.startModels === 16 && o.smooth === 1);
  for (const [argv, re] of [
    [["--start-models", "-1"], /--start-models expects a non-negative integer/],
    [["--start-models", "32", "--smooth", "1"], /--start-models must be less than --window \(32\), got 32/],
    [["--start-models", "16"], /--start-models .* needs --smooth 1, got 3/],
    [["--start-models", "16", "--smooth", "1", "--pad-starts", "8"], /drop --pad-starts/],
    [["--start-models", "16", "--smooth", "1", "--augment", "1"], /cannot be combined with --augment/],
    [["--format", "dfcsv", "--data", "df.csv", "--start-models", "8", "--smooth", "1"], /--start-models .*--format urfd only/],
    [["--grid", "--start-models", "8", "--smooth", "1"], /--grid scores single models: it cannot be combined with --start-models/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--start-models N .*\[default: 16; --detector plain: 0\]/);
  const { startModels: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").startModels, 0);
});

test("a run-state.json read back for --resume gets the command line's checks between options, naming the file", () => {
  for (const [edit, re] of [
    [{ startModels: 16 }, /run-state\.json: --start-models scores each window against its group's own threshold: it needs --smooth 1, got 3$/],
    [{ startModels: 16, smooth: 1, padStarts: 8 }, /run-state\.json: --start-models pads the start models only: drop --pad-starts/],
    [{ syncEvery: 4 }, /run-state\.json: --mode gradients averages gradients every batch: drop --sync-every$/],
    [{ cluster: "mpi" }, /run-state\.json: --cluster mpi needs --ranks R$/],
  ] as [Partial<typeof PLAIN_PIPELINE_OPTIONS>, RegExp][]) {
    assert.throws(() => validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, ...edit }, "run-state.json"), re, JSON.stringify(edit));
  }
  const good = { ...PLAIN_PIPELINE_OPTIONS, startModels: 16, smooth: 1, scoreStride: 1, thresholdMidpoint: "logit" as const };
  assert.equal(validateStoredOptions(good, "run-state.json").startModels, 16);
});
