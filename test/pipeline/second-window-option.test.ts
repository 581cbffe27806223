import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePipelineArgs, PLAIN_PIPELINE_OPTIONS, secondWindowStartModels, UsageError, validateStoredOptions } from "../../lib/pipeline/options";

test("--second-window: 48 by default (--detector deploy), none with --detector plain, longer than --window, needs --start-models; its start models padded by the difference; off when an older run-state.json lacks it", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.secondWindow === 48 && d.secondWindowHold === 6 && d.secondWindowLevel === 0.45);
  const plain = parsePipelineArgs(["--detector", "plain"]);
  assert.ok(plain !== "help" && plain.secondWindow === null);
  const o = parsePipelineArgs(["--second-window", "48", "--second-window-hold", "0", "--second-window-level", "0.5"]);
  assert.ok(o !== "help" && o.secondWindow === 48 && o.startModels === 16 && o.window === 32);
  assert.equal(secondWindowStartModels(o, 48), 32, "its first window ends where the first detector's does: 16 real frames");
  assert.equal(o.secondWindowRule, "min-agree", "the twenty-fifth round's rule by default");
  const min = parsePipelineArgs(["--second-window", "48", "--second-window-rule", "min"]);
  assert.ok(min !== "help" && min.secondWindowRule === "min");
  const held = parsePipelineArgs(["--second-window", "48", "--second-window-hold", "3"]);
  assert.ok(held !== "help" && held.secondWindowHold === 3);
  assert.equal(o.secondWindowLevel, 0.5, "the second detector at its own threshold where asked");
  const level = parsePipelineArgs(["--second-window", "48", "--second-window-level", "0.45"]);
  assert.ok(level !== "help" && level.secondWindowLevel === 0.45);
  for (const [argv, re] of [
    [["--second-window", "0"], /--second-window expects a positive integer/],
    [["--second-window", "32"], /--second-window must be longer than --window \(32\), got 32/],
    [["--second-window", "48", "--start-models", "0"], /--second-window joins two detectors frame by frame: it needs --start-models/],
    [["--detector", "plain", "--second-window", "48"], /needs --start-models/],
    [["--second-window", "nine"], /--second-window expects a positive integer/],
    [["--second-window", "none", "--second-window-rule", "min"], /--second-window-rule joins the two detectors of --second-window: give --second-window N too/],
    [["--second-window", "48", "--second-window-rule", "max"], /--second-window-rule/],
    [["--detector", "plain", "--second-window-hold", "6"], /--second-window-hold holds the two detectors of --second-window: give --second-window N too/],
    [["--second-window", "48", "--second-window-hold", "-1"], /--second-window-hold expects a non-negative integer, got "-1"/],
    [["--second-window", "48", "--second-window-hold", "2.5"], /--second-window-hold expects a non-negative integer/],
    [["--second-window", "none", "--second-window-level", "0.45"], /--second-window-level sets the second detector of --second-window: give --second-window N too/],
    [["--second-window", "48", "--second-window-level", "0.6"], /--second-window-level expects an aligned score in \(0, 0.5\], got "0.6"/],
    [["--second-window", "48", "--second-window-level", "0"], /--second-window-level expects an aligned score in \(0, 0.5\], got "0"/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  const { secondWindow: _, secondWindowRule: __, secondWindowHold: ___, secondWindowLevel: ____, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").secondWindow, null);
  assert.equal(validateStoredOptions(older, "run-state.json").secondWindowRule, "min-agree");
  assert.equal(validateStoredOptions(older, "run-state.json").secondWindowHold, 0);
  assert.equal(validateStoredOptions(older, "run-state.json").secondWindowLevel, 0.5);
  assert.throws(() => validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, secondWindow: 48 }, "run-state.json"), /run-state\.json: --second-window .* needs --start-models/);
});
