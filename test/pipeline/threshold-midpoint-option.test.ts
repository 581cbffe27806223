import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, DEFAULT_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

test("--threshold-midpoint: probability or logit, the default when an older run-state.json lacks it", () => {
  const o = parsePipelineArgs(["--threshold-midpoint", "logit"]);
  assert.ok(o !== "help" && o.thresholdMidpoint === "logit");
  assert.throws(() => parsePipelineArgs(["--threshold-midpoint", "median"]), (e: unknown) => e instanceof UsageError && /--threshold-midpoint must be one of probability\|logit, got "median"/.test(e.message));
  assert.match(pipelineHelp(), new RegExp(`--threshold-midpoint probability\\|logit .*\\[default: ${DEFAULT_PIPELINE_OPTIONS.thresholdMidpoint}\\]`));
  const { thresholdMidpoint: _, ...older } = DEFAULT_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").thresholdMidpoint, DEFAULT_PIPELINE_OPTIONS.thresholdMidpoint);
});
