// --detector deploy|plain: the default trains the README's detector to deploy; plain is the ensemble that was the
// default until 2026-12-06; a flag given beside either wins; a clash with a value the preset filled in says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PIPELINE_OPTIONS, parsePipelineArgs, parsePipelineCommand, pipelineHelp, PLAIN_PIPELINE_OPTIONS, UsageError, validateStoredOptions } from "../../lib/pipeline/options";
import { detectorLine, presetOf, presetValues, PRESET_KEYS } from "../../lib/pipeline/detector-preset";

const six = (o: ReturnType<typeof parsePipelineArgs>) => {
  assert.ok(o !== "help");
  return [o.startModels, o.smooth, o.thresholdMidpoint, o.scoreStride, o.secondModel, o.combine];
};

test("no flag: the deploy detector (start models 16, unsmoothed, log-odds midpoint, every frame, LSTM and GRU by mean log-odds); --detector plain: the old defaults", () => {
  assert.deepEqual(six(parsePipelineArgs([])), [16, 1, "logit", 1, "gru", "logit-mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--detector", "deploy"])), [16, 1, "logit", 1, "gru", "logit-mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--detector", "plain"])), [0, 3, "probability", null, null, "mean"]);
  assert.deepEqual(parsePipelineArgs(["--detector", "plain"]), PLAIN_PIPELINE_OPTIONS);
  // Everything outside the six is the same in both.
  const rest = (o: typeof PLAIN_PIPELINE_OPTIONS) => Object.entries(o).filter(([k]) => !(PRESET_KEYS as readonly string[]).includes(k));
  assert.deepEqual(rest(DEFAULT_PIPELINE_OPTIONS), rest(PLAIN_PIPELINE_OPTIONS));
  assert.equal(presetOf(DEFAULT_PIPELINE_OPTIONS), "deploy");
  assert.equal(presetOf(PLAIN_PIPELINE_OPTIONS), "plain");
  assert.equal(presetOf({ ...DEFAULT_PIPELINE_OPTIONS, combine: "mean" }), null);
  assert.match(detectorLine(DEFAULT_PIPELINE_OPTIONS), /^detector: deploy \(the default\): LSTM and GRU .*--detector plain trains the plain ensemble$/);
  assert.match(detectorLine(PLAIN_PIPELINE_OPTIONS), /^detector: plain: one ensemble of --model/);
  assert.match(detectorLine({ ...PLAIN_PIPELINE_OPTIONS, smooth: 5 }), /neither deploy nor plain/);
});

test("the second model is the other type of --model; flags given beside a preset win over its values", () => {
  assert.deepEqual(six(parsePipelineArgs(["--model", "gru"])), [16, 1, "logit", 1, "lstm", "logit-mean"]);
  assert.deepEqual(presetValues("deploy", "gru").secondModel, "lstm");
  assert.deepEqual(six(parsePipelineArgs(["--second-model", "none", "--combine", "mean"])), [16, 1, "logit", 1, null, "mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--start-models", "0", "--smooth", "3"])), [0, 3, "logit", 1, "gru", "logit-mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--detector", "plain", "--start-models", "16", "--smooth", "1"])), [16, 1, "probability", null, null, "mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--window", "24", "--start-models", "8"])), [8, 1, "logit", 1, "gru", "logit-mean"]);
});

test("a clash with a value the preset filled in names the preset and how to leave it; other errors stay as they were", () => {
  const hint = /\(the default --detector deploy gives .*--start-models 16.*; add --detector plain, or give those flags\)$/;
  for (const argv of [["--window", "16"], ["--augment", "2"], ["--smooth", "3"], ["--pad-starts", "8"], ["--onset-windows", "4"], ["--min-falling-rows", "4"], ["--stride", "4", "--window", "12"]]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && hint.test(e.message), argv.join(" "));
    const plain = parsePipelineArgs(["--detector", "plain", ...argv]);
    assert.ok(plain !== "help", `${argv.join(" ")} is fine with --detector plain`);
  }
  // --smooth 3: the preset's own values, less the one given, are listed.
  assert.throws(() => parsePipelineArgs(["--smooth", "3"]), (e: unknown) => e instanceof UsageError && /gives --start-models 16 --threshold-midpoint logit/.test(e.message) && !/gives.*--smooth/.test(e.message));
  assert.throws(() => parsePipelineArgs(["--detector", "deploy", "--window", "16"]), (e: unknown) => e instanceof UsageError && /\(--detector deploy gives/.test(e.message));
  // Not the preset's doing: no hint.
  assert.throws(() => parsePipelineArgs(["--synthetic", "--data", "x"]), (e: unknown) => e instanceof UsageError && /^--synthetic and --data exclude each other \(generated data or a data folder\)$/.test(e.message));
  assert.throws(() => parsePipelineArgs(["--detector", "x"]), (e: unknown) => e instanceof UsageError && /--detector must be one of deploy\|plain, got "x"/.test(e.message));
  assert.throws(() => parsePipelineArgs(["--detector", "plain", "--detector", "plain"]), UsageError);
});

test("--format dfcsv, --grid and --resume take the plain values unless --detector is given; --detector deploy refuses dfcsv and --grid", () => {
  assert.deepEqual(six(parsePipelineArgs(["--format", "dfcsv", "--data", "df.csv"])), [0, 3, "probability", null, null, "mean"]);
  const grid = parsePipelineCommand(["--grid"]);
  assert.ok(grid.kind === "grid");
  assert.deepEqual([grid.options.startModels, grid.options.secondModel, grid.options.smooth], [0, null, 3]);
  const resume = parsePipelineCommand(["--resume", "runs/x"]);
  assert.ok(resume.kind === "resume");
  assert.deepEqual(resume.given, [], "nothing given: the run's own options hold");
  const again = parsePipelineCommand(["--resume", "runs/x", "--detector", "deploy"]);
  assert.ok(again.kind === "resume");
  assert.deepEqual([...again.given].sort(), [...PRESET_KEYS].sort(), "--detector on --resume: its six options must match the run's");
  assert.throws(() => parsePipelineArgs(["--format", "dfcsv", "--data", "df.csv", "--detector", "deploy"]), (e: unknown) => e instanceof UsageError && /--detector deploy .*--format urfd only/.test(e.message));
  assert.throws(() => parsePipelineCommand(["--grid", "--detector", "deploy"]), (e: unknown) => e instanceof UsageError && /--grid .*--detector deploy/.test(e.message));
});

test("a run-state.json without the six options (written before they existed) resumes as the plain ensemble it was; help says both defaults", () => {
  const older = Object.fromEntries(Object.entries(PLAIN_PIPELINE_OPTIONS).filter(([k]) => !["startModels", "secondModel", "combine", "scoreStride", "thresholdMidpoint"].includes(k)));
  assert.deepEqual(validateStoredOptions(older, "run-state.json"), PLAIN_PIPELINE_OPTIONS);
  assert.deepEqual(validateStoredOptions(JSON.parse(JSON.stringify(DEFAULT_PIPELINE_OPTIONS)), "run-state.json"), DEFAULT_PIPELINE_OPTIONS);
  const help = pipelineHelp().replace(/\s+/g, " ");
  assert.match(help, /--detector deploy\|plain .*\[default: deploy; plain with --format dfcsv, --grid or --resume\]/);
  assert.match(help, /--smooth K .*\[default: 1; --detector plain: 3\]/);
});
