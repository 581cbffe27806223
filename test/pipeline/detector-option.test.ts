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

const second = (o: ReturnType<typeof parsePipelineArgs>) => {
  assert.ok(o !== "help");
  return [o.secondWindow, o.secondWindowRule, o.secondWindowHold, o.secondWindowLevel];
};

const members = (o: ReturnType<typeof parsePipelineArgs>) => {
  assert.ok(o !== "help");
  return o.ensemble;
};

test("no flag: the deploy detector (start models 16, unsmoothed, log-odds midpoint, every frame, 6 LSTM and 6 GRU members by mean log-odds, a second detector on 48 frames held 6 at 0.45); --detector plain: the old defaults", () => {
  assert.deepEqual(six(parsePipelineArgs([])), [16, 1, "logit", 1, "gru", "logit-mean"]);
  assert.deepEqual(second(parsePipelineArgs([])), [48, "min-agree", 6, 0.45]);
  assert.deepEqual(second(parsePipelineArgs(["--detector", "plain"])), [null, "min-agree", 0, 0.5]);
  assert.deepEqual(second(parsePipelineArgs(["--second-window", "none"])), [null, "min-agree", 0, 0.5], "no second window: its hold and level go off with it");
  assert.deepEqual(second(parsePipelineArgs(["--second-window", "64"])), [64, "min-agree", 6, 0.45]);
  assert.deepEqual(second(parsePipelineArgs(["--second-window-hold", "0", "--second-window-level", "0.5"])), [48, "min-agree", 0, 0.5]);
  assert.equal(members(parsePipelineArgs([])), 6);
  assert.equal(members(parsePipelineArgs(["--detector", "plain"])), 3);
  assert.equal(members(parsePipelineArgs(["--ensemble", "3"])), 3, "a flag beside the preset wins");
  assert.equal(members(parsePipelineArgs(["--format", "dfcsv", "--data", "df.csv"])), 1, "the original preset keeps its one model");
  assert.equal(members(parsePipelineArgs(["--format", "dfcsv", "--data", "df.csv", "--detector", "plain"])), 1);
  assert.deepEqual(six(parsePipelineArgs(["--detector", "deploy"])), [16, 1, "logit", 1, "gru", "logit-mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--detector", "plain"])), [0, 3, "probability", null, null, "mean"]);
  assert.deepEqual(parsePipelineArgs(["--detector", "plain"]), PLAIN_PIPELINE_OPTIONS);
  // Everything outside the seven is the same in both.
  const rest = (o: typeof PLAIN_PIPELINE_OPTIONS) => Object.entries(o).filter(([k]) => !(PRESET_KEYS as readonly string[]).includes(k));
  assert.deepEqual(rest(DEFAULT_PIPELINE_OPTIONS), rest(PLAIN_PIPELINE_OPTIONS));
  assert.equal(presetOf(DEFAULT_PIPELINE_OPTIONS), "deploy");
  assert.equal(presetOf(PLAIN_PIPELINE_OPTIONS), "plain");
  assert.equal(presetOf({ ...DEFAULT_PIPELINE_OPTIONS, combine: "mean" }), null);
  assert.equal(presetOf({ ...DEFAULT_PIPELINE_OPTIONS, ensemble: 3 }), null, "a deploy run of three members a type (the default until the twenty-third round) is a mix of its own");
  assert.match(detectorLine(DEFAULT_PIPELINE_OPTIONS), /^detector: deploy \(the default\): 6 LSTM and 6 GRU members .*--detector plain trains the plain ensemble$/);
  assert.match(detectorLine(PLAIN_PIPELINE_OPTIONS), /^detector: plain: one ensemble of 3 --model members/);
  assert.match(detectorLine({ ...PLAIN_PIPELINE_OPTIONS, smooth: 5 }), /^detector: plain with --smooth 5 given: one ensemble/);
  assert.match(detectorLine({ ...DEFAULT_PIPELINE_OPTIONS, startModels: 8, secondModel: null }), /^detector: deploy \(the default\) with --start-models 8 --second-model none given: 6 LSTM and 6 GRU .*, but for those$/);
});

test("the second model is the other type of --model; flags given beside a preset win over its values", () => {
  assert.deepEqual(six(parsePipelineArgs(["--model", "gru"])), [16, 1, "logit", 1, "lstm", "logit-mean"]);
  assert.deepEqual(presetValues("deploy", "gru").secondModel, "lstm");
  assert.deepEqual(six(parsePipelineArgs(["--second-model", "none", "--combine", "mean"])), [16, 1, "logit", 1, null, "mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--start-models", "0", "--smooth", "3", "--second-window", "none"])), [0, 3, "logit", 1, "gru", "logit-mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--detector", "plain", "--start-models", "16", "--smooth", "1"])), [16, 1, "probability", null, null, "mean"]);
  assert.deepEqual(six(parsePipelineArgs(["--window", "24", "--start-models", "8"])), [8, 1, "logit", 1, "gru", "logit-mean"]);
});

test("a clash with a value the preset filled in names those values and how to leave them; other errors stay as they were", () => {
  const clash = (argv: string[], gives: string, them: "it" | "them", how = "add") => {
    const want = `(${argv.includes("--detector") ? "" : "the default "}--detector deploy gives ${gives}; give ${them} another value, or ${how} --detector plain)`;
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && e.message.endsWith(want), `${argv.join(" ")}: ...${want}`);
  };
  clash(["--window", "16"], "--start-models 16", "it");
  clash(["--window", "12", "--stride", "4"], "--start-models 16", "it");
  clash(["--smooth", "3"], "--start-models 16", "it");
  clash(["--pad-starts", "8"], "--start-models 16", "it");
  // --augment clashes with the every-frame scoring first, then with the start models: both are named.
  clash(["--augment", "2"], "--start-models 16 --score-stride 1", "them");
  clash(["--onset-windows", "4"], "--start-models 16 --score-stride 1", "them");
  clash(["--min-falling-rows", "4"], "--start-models 16 --score-stride 1", "them");
  // Only the filled value at fault, not the rest of the preset.
  clash(["--second-model", "none", "--ensemble", "1", "--start-models", "0", "--second-window", "none"], "--combine logit-mean", "it");
  // The second window needs the start models and a longer window; its hold and level are not blamed.
  clash(["--start-models", "0"], "--second-window 48", "it");
  clash(["--window", "48", "--start-models", "32"], "--second-window 48", "it");
  assert.ok(parsePipelineArgs(["--window", "48", "--start-models", "32", "--second-window", "none"]) !== "help", "one detector on 48-frame windows");
  // A clash of the user's own beside a filled one: the filled one is still named.
  clash(["--window", "24", "--start-models", "8", "--augment", "1"], "--score-stride 1", "it");
  clash(["--detector", "deploy", "--window", "16"], "--start-models 16", "it", "use");
  // A clash with what --detector plain filled in names plain, and deploy as the way out.
  assert.throws(
    () => parsePipelineArgs(["--detector", "plain", "--second-window", "48"]),
    (e: unknown) => e instanceof UsageError && e.message.endsWith("(--detector plain gives --start-models 0; give it another value, or use --detector deploy)"),
  );
  for (const argv of [["--window", "16"], ["--augment", "2"], ["--smooth", "3"], ["--pad-starts", "8"], ["--onset-windows", "4"], ["--min-falling-rows", "4"]]) {
    assert.ok(parsePipelineArgs(["--detector", "plain", ...argv]) !== "help", `${argv.join(" ")} is fine with --detector plain`);
  }
  // Not the preset's doing: no hint.
  assert.throws(() => parsePipelineArgs(["--synthetic", "--data", "x"]), (e: unknown) => e instanceof UsageError && /^--synthetic and --data exclude each other \(generated data or a data folder\)$/.test(e.message));
  assert.throws(() => parsePipelineArgs(["--detector", "x"]), (e: unknown) => e instanceof UsageError && /--detector must be one of deploy\|plain, got "x"/.test(e.message));
  assert.throws(() => parsePipelineArgs(["--detector", "plain", "--detector", "plain"]), UsageError);
});

test("--format dfcsv and --grid take the plain values unless --detector is given; --detector deploy refuses them; --resume keeps the run's own and refuses --detector", () => {
  assert.deepEqual(six(parsePipelineArgs(["--format", "dfcsv", "--data", "df.csv"])), [0, 3, "probability", null, null, "mean"]);
  const grid = parsePipelineCommand(["--grid"]);
  assert.ok(grid.kind === "grid");
  assert.deepEqual([grid.options.startModels, grid.options.secondModel, grid.options.smooth], [0, null, 3]);
  const resume = parsePipelineCommand(["--resume", "runs/x"]);
  assert.ok(resume.kind === "resume");
  assert.deepEqual(resume.given, [], "nothing given: the run's own options hold");
  assert.throws(() => parsePipelineCommand(["--resume", "runs/x", "--detector", "deploy"]), (e: unknown) => e instanceof UsageError && /--resume continues a run with its own detector \(run-state\.json\): drop --detector/.test(e.message));
  // Given again on --resume, an option is compared with the run's own, not checked against the filled-in values.
  const again = parsePipelineCommand(["--resume", "runs/x", "--start-models", "16"]);
  assert.ok(again.kind === "resume");
  assert.deepEqual(again.given, ["startModels"]);
  assert.throws(() => parsePipelineArgs(["--format", "dfcsv", "--data", "df.csv", "--detector", "deploy"]), (e: unknown) => e instanceof UsageError && /--detector deploy .*--format urfd only/.test(e.message));
  assert.throws(() => parsePipelineCommand(["--grid", "--detector", "deploy"]), (e: unknown) => e instanceof UsageError && /--grid .*--detector deploy/.test(e.message));
});

test("a run-state.json without the six options (written before they existed) resumes as the plain ensemble it was; help says both defaults", () => {
  const older = Object.fromEntries(Object.entries(PLAIN_PIPELINE_OPTIONS).filter(([k]) => !["startModels", "secondModel", "combine", "scoreStride", "thresholdMidpoint"].includes(k)));
  assert.deepEqual(validateStoredOptions(older, "run-state.json"), PLAIN_PIPELINE_OPTIONS);
  assert.deepEqual(validateStoredOptions(JSON.parse(JSON.stringify(DEFAULT_PIPELINE_OPTIONS)), "run-state.json"), DEFAULT_PIPELINE_OPTIONS);
  const help = pipelineHelp().replace(/\s+/g, " ");
  assert.match(help, /--detector deploy\|plain .*\[default: deploy; plain with --format dfcsv or --grid; --resume: the run's own\]/);
  assert.match(help, /--smooth K .*\[default: 1; --detector plain: 3\]/);
});
