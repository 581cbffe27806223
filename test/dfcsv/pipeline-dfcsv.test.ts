// `npm run pipeline -- --format dfcsv`: the original preset trained on a derived df.csv, split by
// recording through the sidecar, or by row (with a warning) without it.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic } from "../../lib/data";
import { deriveDfCsv, writeDerivedDfCsv } from "../../lib/data/dfcsv-derive";
import { metaFileFor } from "../../lib/data/dfcsv-meta";
import { PLAIN_PIPELINE_OPTIONS, parsePipelineCommand, UsageError } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";

test("--format dfcsv needs --data and cannot be a grid search", () => {
  assert.throws(() => parsePipelineCommand(["--format", "dfcsv"]), (e: unknown) => e instanceof UsageError && /--format dfcsv needs --data FILE/.test(e.message));
  assert.throws(() => parsePipelineCommand(["--format", "dfcsv", "--data", "x.csv", "--grid"]), UsageError);
  assert.throws(() => parsePipelineCommand(["--format", "csv"]), /--format must be one of urfd\|dfcsv/);
  const c = parsePipelineCommand(["--format", "dfcsv", "--data", "x.csv"]);
  assert.equal(c.kind === "run" && c.options.format, "dfcsv");
  assert.equal(c.kind === "run" && c.options.ensemble, 1, "the original preset trains one model unless --ensemble is given");
  const e = parsePipelineCommand(["--format", "dfcsv", "--data", "x.csv", "--ensemble", "2"]);
  assert.equal(e.kind === "run" && e.options.ensemble, 2);
});

test("pipeline --format dfcsv trains the original preset, grouped by recording with the sidecar and by row without", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pipeline-dfcsv-"));
  try {
    const ds = generateSynthetic({ seed: 3, falls: 4, adls: 4 });
    const file = path.join(tmp, "df.csv");
    const derived = deriveDfCsv(ds, { postures: 6, window: 8, stride: 8, seed: 1 });
    writeDerivedDfCsv(file, derived, "synthetic test data");
    const lines: string[] = [];
    // ensemble 1: what the CLI defaults to for --format dfcsv (the original trained one model)
    const base = { ...PLAIN_PIPELINE_OPTIONS, format: "dfcsv" as const, data: file, workers: 1, epochs: 1, folds: 2, ensemble: 1 };
    const { metrics } = await runPipeline({ ...base, out: path.join(tmp, "grouped") }, { log: (l) => lines.push(l) });
    assert.equal(metrics.data.source, "dfcsv");
    assert.equal(metrics.data.sequences, 8, "8 recordings from the sidecar");
    const [[tn, fp], [fn, tp]] = metrics.sequence.confusionMatrix;
    assert.equal(tn + fp + fn + tp, 8, "each recording predicted once, out of fold");
    const spec = JSON.parse(fs.readFileSync(path.join(tmp, "grouped", "models", "fold-1", "distributed.json"), "utf8")).model;
    assert.equal(spec.type, "original");
    assert.equal(spec.options.timesteps, 8);
    assert.ok(lines.some((l) => /rows of \[T=8\] tokens/.test(l)), lines.join("\n"));
    assert.ok(!lines.some((l) => /warning/.test(l)));

    fs.rmSync(metaFileFor(file));
    const warnings: string[] = [];
    const byRow = await runPipeline({ ...base, out: path.join(tmp, "rows") }, { log: () => {}, warn: (l) => warnings.push(l) });
    assert.equal(byRow.metrics.data.sequences, derived.windows.count, "one group per row");
    assert.match(warnings.join("\n"), /no sidecar .*overlapping windows/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
