// --grid and the --grid-* lists: parsed and checked like the single options, defaults filled in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_GRID_FOLDS, DEFAULT_GRID_UNITS, parsePipelineCommand, UsageError } from "../../lib/pipeline/options";

test("--grid with lists gives every list; absent lists default to the single options", () => {
  const c = parsePipelineCommand(["--grid", "--grid-model", "lstm,gru", "--grid-units=16,32", "--grid-epochs", "10,30", "--grid-batch-size", "32,64", "--folds", "4"]);
  assert.equal(c.kind, "grid");
  if (c.kind !== "grid") return;
  assert.deepEqual(c.grid, { models: ["lstm", "gru"], units: [16, 32], epochs: [10, 30], batchSizes: [32, 64] });
  assert.equal(c.options.folds, 4);

  const d = parsePipelineCommand(["--grid", "--model", "gru", "--epochs", "5", "--batch-size", "8"]);
  assert.equal(d.kind, "grid");
  if (d.kind !== "grid") return;
  assert.deepEqual(d.grid, { models: ["gru"], units: [DEFAULT_GRID_UNITS], epochs: [5], batchSizes: [8] });
  assert.equal(d.options.folds, DEFAULT_GRID_FOLDS);
  assert.equal(parsePipelineCommand(["--epochs", "5"]).kind, "run", "no --grid: a normal run");
});

test("bad --grid command lines are one-line UsageErrors", () => {
  const bad: [string[], RegExp][] = [
    [["--grid", "--grid-model", "lstm,rnn"], /--grid-model must be one of lstm\|gru, got "rnn"/],
    [["--grid", "--grid-units", "16,0"], /--grid-units expects a positive integer, got "0"/],
    [["--grid", "--grid-epochs", "10,"], /--grid-epochs expects a positive integer, got ""/],
    [["--grid", "--grid-batch-size", "32,x"], /--grid-batch-size expects a positive integer/],
    [["--grid", "--grid-units", "16,16"], /--grid-units lists 16 twice/],
    [["--grid", "--grid-units", "8,5000"], /--grid-units must be at most 2048 /],
    [["--grid", "--grid-epochs", "3,200000"], /--grid-epochs must be at most 100000 /],
    [["--grid", "--grid-batch-size", "16,100000"], /--grid-batch-size must be at most 65536 /],
    [["--grid", "--grid-units", "16", "--grid-units", "32"], /--grid-units given twice/],
    [["--grid", "--grid-units"], /--grid-units expects a value/],
    [["--grid-model", "gru"], /--grid-model needs --grid/],
    [["--grid", "--resume", "runs/x"], /--grid cannot be combined with --resume/],
    [["--grid", "--folds", "1"], /--folds expects K >= 2/],
    [["--grid", "--ensemble", "3"], /--grid scores single models: it cannot be combined with --ensemble/],
  ];
  for (const [argv, re] of bad) {
    assert.throws(() => parsePipelineCommand(argv), (err: unknown) => err instanceof UsageError && re.test(err.message) && !err.message.includes("\n"), argv.join(" "));
  }
});
