import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

/** Parsed as a --detector plain run: these options are measured against the plain ensemble. */
const parsePlain = (argv: readonly string[]) => parsePipelineArgs(["--detector", "plain", ...argv]);

test("--threshold-midpoint: probability or logit (logit by default, probability with --detector plain), the plain one when an older run-state.json lacks it", () => {
  const o = parsePlain(["--threshold-midpoint", "logit"]);
  assert.ok(o !== "help" && o.thresholdMidpoint === "logit");
  assert.throws(() => parsePlain(["--threshold-midpoint", "median"]), (e: unknown) => e instanceof UsageError && /--threshold-midpoint must be one of probability\|logit, got "median"/.test(e.message));
  assert.match(pipelineHelp(), /--threshold-midpoint probability\|logit .*\[default: logit; --detector plain: probability\]/);
  const { thresholdMidpoint: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").thresholdMidpoint, PLAIN_PIPELINE_OPTIONS.thresholdMidpoint);
});
