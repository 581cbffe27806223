import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

/** Parsed as a --detector plain run: these options are measured against the plain ensemble. */
const parsePlain = (argv: readonly string[]) => parsePipelineArgs(["--detector", "plain", ...argv]);

test("--pad-starts: 0 (off) by default, an integer below --window, urfd only, 0 when an older run-state.json lacks it", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.padStarts === 0);
  const o = parsePlain(["--pad-starts", "24"]);
  assert.ok(o !== "help" && o.padStarts === 24);
  for (const [argv, re] of [
    [["--pad-starts", "-1"], /--pad-starts expects a non-negative integer/],
    [["--pad-starts", "32"], /--pad-starts must be less than --window \(32\), got 32/],
    [["--window", "16", "--pad-starts", "20"], /less than --window \(16\)/],
    [["--format", "dfcsv", "--data", "df.csv", "--pad-starts", "8"], /--pad-starts .*--format urfd only/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--pad-starts N .*\[default: 0\]/);
  const { padStarts: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").padStarts, 0);
});
