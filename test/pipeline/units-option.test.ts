import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { NO_SECOND_WINDOW } from "../../lib/pipeline/detector-preset";
import { DEFAULT_PIPELINE_OPTIONS, DEFAULT_UNITS, parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { RNN_DEFAULTS } from "../../lib/model/rnn";
import { verifyRun } from "../../lib/detect/verify-run";

test("--units: the model's one layer of 32 by default, 1..4 layers of positive sizes, urfd only, not with --grid, [32] when an older run-state.json lacks it", () => {
  assert.deepEqual([DEFAULT_UNITS], [...RNN_DEFAULTS.units], "the command line's default is the model's");
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help");
  assert.deepEqual(d.units, [32]);
  const o = parsePipelineArgs(["--units", "48,16"]);
  assert.ok(o !== "help");
  assert.deepEqual(o.units, [48, 16]);
  for (const [argv, re] of [
    [["--units", "0"], /--units expects a positive integer, got "0"/],
    [["--units", "32,x"], /--units expects a positive integer, got "x"/],
    [["--units", "4096"], /--units must be at most 2048/],
    [["--units", "8,8,8,8,8"], /--units lists at most 4 layers, got 5/],
    [["--format", "dfcsv", "--data", "df.csv", "--units", "16"], /--units sizes feature-window models: --format dfcsv trains the original preset/],
    [["--grid", "--units", "16"], /--grid sizes its models with --grid-units: it cannot be combined with --units/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--units N\[,N\] .*\[default: 32\]/);
  const { units: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.deepEqual(validateStoredOptions(older, "run-state.json").units, [32]);
  assert.deepEqual(validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, units: [16, 8] }, "run-state.json").units, [16, 8]);
  assert.throws(() => validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, units: [0] }, "run-state.json"), /run-state.json: --units expects a positive integer/);
});

test("a default-detector run with --units 8,8 trains every member of both types and both groups with two stacked layers, says so, and its folders replay to its decisions", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "units-run-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 4, falls: 6, adls: 6 }));
    const lines: string[] = [];
    const out = path.join(tmp, "out");
    const { metrics } = await runPipeline(
      { ...DEFAULT_PIPELINE_OPTIONS, ...NO_SECOND_WINDOW, data: dataDir, workers: 1, epochs: 1, window: 16, stride: 4, startModels: 8, folds: 2, ensemble: 1, units: [8, 6], out },
      { log: (l) => lines.push(l) },
    );
    assert.ok(lines.includes("members: 2 stacked recurrent layers of 8, 6 units (--units 8,6) in every member"), lines.join("\n"));
    assert.deepEqual(metrics.config.units, [8, 6]);
    const topologies = fs.readdirSync(path.join(out, "models", "fold-1"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("model.json"));
    assert.equal(topologies.length, 4, "an LSTM and a GRU member in the main and the start group");
    for (const f of topologies) {
      const json = JSON.parse(fs.readFileSync(path.join(out, "models", "fold-1", f), "utf8"));
      const layers = (json.modelTopology.model_config ?? json.modelTopology).config.layers as { class_name: string; config: { units: number; return_sequences?: boolean } }[];
      const rnn = layers.filter((l) => l.class_name === "LSTM" || l.class_name === "GRU");
      assert.deepEqual(rnn.map((l) => [l.config.units, l.config.return_sequences]), [[8, true], [6, false]], f);
    }
    const check = await verifyRun(out);
    assert.deepEqual(check.decisionMismatches, [], "the saved two-layer members give the run's decisions");
    assert.ok(check.detectionEqual, "and its detection block");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
