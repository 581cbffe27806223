import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

test("--diff-lags: 1,4 by default, increasing positive integers, urfd only, the default when an older run-state.json lacks it", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help");
  assert.deepEqual(d.diffLags, [1, 4]);
  const o = parsePipelineArgs(["--diff-lags", "1,4,32"]);
  assert.ok(o !== "help");
  assert.deepEqual(o.diffLags, [1, 4, 32]);
  for (const [argv, re] of [
    [["--diff-lags", "4,1"], /--diff-lags expects increasing lags, got "4,1"/],
    [["--diff-lags", "1,1"], /--diff-lags expects increasing lags/],
    [["--diff-lags", "0,4"], /--diff-lags expects a positive integer, got "0"/],
    [["--diff-lags", "1,x"], /--diff-lags expects a positive integer, got "x"/],
    [["--format", "dfcsv", "--data", "df.csv", "--diff-lags", "1"], /--diff-lags .*--format urfd only/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--diff-lags L,L .*\[default: 1,4\]/);
  const { diffLags: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.deepEqual(validateStoredOptions(older, "run-state.json").diffLags, [1, 4]);
  assert.deepEqual(validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, diffLags: [1, 4, 64] }, "run-state.json").diffLags, [1, 4, 64]);
  assert.throws(() => validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, diffLags: [4, 1] }, "run-state.json"), /run-state.json: --diff-lags expects increasing lags/);
  assert.throws(() => validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, diffLags: ["1"] }, "run-state.json"), /run-state.json: --diff-lags is missing or not a value/);
});
