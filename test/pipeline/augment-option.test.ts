import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, DEFAULT_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

test("--augment: 0 (off) by default, a non-negative integer, urfd only, 0 when an older run-state.json lacks it", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.augment === 0);
  const o = parsePipelineArgs(["--augment", "2"]);
  assert.ok(o !== "help" && o.augment === 2);
  for (const [argv, re] of [
    [["--augment", "-1"], /--augment expects a non-negative integer/],
    [["--augment", "x"], /--augment expects a non-negative integer/],
    [["--format", "dfcsv", "--data", "df.csv", "--augment", "1"], /--augment .*--format urfd only/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--augment N .*\[default: 0\]/);
  const { augment: _, ...older } = DEFAULT_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").augment, 0);
  assert.equal(validateStoredOptions({ ...DEFAULT_PIPELINE_OPTIONS, augment: 3 }, "run-state.json").augment, 3);
});
