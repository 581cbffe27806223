import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { NO_SECOND_WINDOW } from "../../lib/pipeline/detector-preset";
import { DEFAULT_DROPOUT, DEFAULT_LEARNING_RATE, DEFAULT_PIPELINE_OPTIONS, memberOptionsNote, parsePipelineArgs, pipelineHelp, PLAIN_PIPELINE_OPTIONS, UsageError, validateStoredOptions } from "../../lib/pipeline/options";
import { RNN_DEFAULTS } from "../../lib/model/rnn";
import { verifyRun } from "../../lib/detect/verify-run";

test("--dropout and --learning-rate: the model's 0.3 and 0.001 by default, a rate in [0, 1) and a positive rate up to 1, urfd only, the defaults when an older run-state.json lacks them", () => {
  assert.equal(DEFAULT_DROPOUT, RNN_DEFAULTS.dropout, "the command line's default is the model's");
  assert.equal(DEFAULT_LEARNING_RATE, RNN_DEFAULTS.learningRate);
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help");
  assert.equal(d.dropout, 0.3);
  assert.equal(d.learningRate, 0.001);
  const o = parsePipelineArgs(["--dropout", "0", "--learning-rate", "2e-3"]);
  assert.ok(o !== "help");
  assert.equal(o.dropout, 0);
  assert.equal(o.learningRate, 0.002);
  for (const [argv, re] of [
    [["--dropout", "1"], /--dropout expects a rate in \[0, 1\), got "1"/],
    [["--dropout", "-0.1"], /--dropout expects a rate in \[0, 1\), got "-0.1"/],
    [["--dropout", "x"], /--dropout expects a rate in \[0, 1\), got "x"/],
    [["--learning-rate", "0"], /--learning-rate expects a positive number up to 1, got "0"/],
    [["--learning-rate", "-1e-9"], /--learning-rate expects a positive number up to 1, got "-1e-9"/],
    [["--learning-rate", "1.5"], /--learning-rate expects a positive number up to 1, got "1.5"/],
    [["--learning-rate", ""], /--learning-rate expects a positive number up to 1, got ""/],
    [["--format", "dfcsv", "--data", "df.csv", "--dropout", "0.2"], /--dropout sets feature-window models: --format dfcsv trains the original preset with its own/],
    [["--format", "dfcsv", "--data", "df.csv", "--learning-rate", "0.01"], /--learning-rate sets feature-window models/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--dropout R .*\[default: 0\.3\]/);
  assert.match(pipelineHelp(), /--learning-rate LR .*\[default: 0\.001\]/);
  const top = parsePipelineArgs(["--learning-rate", "1"]);
  assert.ok(top !== "help" && top.learningRate === 1, "the upper end is closed");
  assert.equal(memberOptionsNote(PLAIN_PIPELINE_OPTIONS), null, "the defaults are not logged");
  assert.equal(
    memberOptionsNote({ units: [8], dropout: 0, learningRate: 0.002 }),
    "members: a recurrent layer of 8 units (--units 8), dropout 0 (--dropout 0), learning rate 0.002 (--learning-rate 0.002) in every member",
  );
  const { dropout: _d, learningRate: _l, ...older } = PLAIN_PIPELINE_OPTIONS;
  const stored = validateStoredOptions(older, "run-state.json");
  assert.deepEqual([stored.dropout, stored.learningRate], [0.3, 0.001]);
  assert.equal(validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, dropout: 0.1 }, "run-state.json").dropout, 0.1);
  assert.throws(() => validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, learningRate: -1 }, "run-state.json"), /run-state.json: --learning-rate expects a positive number/);
});

test("a default-detector run with --dropout 0 --learning-rate 0.01 builds every member without a Dropout layer, says so, trains another model than the defaults, and replays to its decisions", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dropout-lr-run-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 4, falls: 6, adls: 6 }));
    const base = { ...DEFAULT_PIPELINE_OPTIONS, ...NO_SECOND_WINDOW, data: dataDir, workers: 1, epochs: 1, window: 16, stride: 4, startModels: 8, folds: 2, ensemble: 1 };
    const lines: string[] = [];
    const out = path.join(tmp, "out");
    const { metrics } = await runPipeline({ ...base, dropout: 0, learningRate: 0.01, out }, { log: (l) => lines.push(l) });
    assert.ok(lines.includes("members: dropout 0 (--dropout 0), learning rate 0.01 (--learning-rate 0.01) in every member"), lines.join("\n"));
    assert.deepEqual([metrics.config.dropout, metrics.config.learningRate], [0, 0.01]);
    const layerNames = (dir: string) =>
      fs
        .readdirSync(path.join(dir, "models", "fold-1"), { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith("model.json"))
        .map((f) => {
          const json = JSON.parse(fs.readFileSync(path.join(dir, "models", "fold-1", f), "utf8"));
          return ((json.modelTopology.model_config ?? json.modelTopology).config.layers as { class_name: string }[]).map((l) => l.class_name);
        });
    const members = layerNames(out);
    assert.equal(members.length, 4, "an LSTM and a GRU member in the main and the start group");
    for (const m of members) assert.ok(!m.includes("Dropout"), m.join(", "));
    const check = await verifyRun(out);
    assert.deepEqual(check.decisionMismatches, [], "the saved members give the run's decisions");
    const ref = path.join(tmp, "ref");
    const plain = await runPipeline({ ...base, dropout: 0, out: ref }, { log: () => {} });
    assert.notDeepEqual(plain.metrics.training.merged.map((m) => m.loss), metrics.training.merged.map((m) => m.loss), "the learning rate reaches the optimiser");
    await runPipeline({ ...base, out: path.join(tmp, "d") }, { log: () => {} });
    for (const m of layerNames(path.join(tmp, "d"))) assert.ok(m.includes("Dropout"), "the default keeps its Dropout layer");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
