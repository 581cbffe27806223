import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";

/** Parsed as a --detector plain run: these options are measured against the plain ensemble. */
const parsePlain = (argv: readonly string[]) => parsePipelineArgs(["--detector", "plain", ...argv]);

test("--augment: 0 (off) by default, a non-negative integer, urfd only, 0 when an older run-state.json lacks it", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.augment === 0);
  const o = parsePlain(["--augment", "2"]);
  assert.ok(o !== "help" && o.augment === 2);
  for (const [argv, re] of [
    [["--augment", "-1"], /--augment expects a non-negative integer/],
    [["--augment", "x"], /--augment expects a non-negative integer/],
    [["--format", "dfcsv", "--data", "df.csv", "--augment", "1"], /--augment .*--format urfd only/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--augment N .*\[default: 0\]/);
  const { augment: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").augment, 0);
  assert.equal(validateStoredOptions({ ...PLAIN_PIPELINE_OPTIONS, augment: 3 }, "run-state.json").augment, 3);
});

test("a run with --augment 1 fits each fold on its real windows plus the copies', and says so; the threshold stays a training one", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "augment-run-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 3, falls: 6, adls: 6 }));
    const lines: string[] = [];
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 1, window: 16, stride: 8, folds: 2, ensemble: 1, augment: 1, out: path.join(tmp, "out") }, { log: (l) => lines.push(l) });
    const said = lines.filter((l) => /^fold \d\/2: training on \d+ windows \(\+\d+ from 1 augmented copy of each recording\)/.test(l));
    assert.equal(said.length, 2, lines.join("\n"));
    assert.equal(metrics.config.augment, 1);
    for (const f of metrics.folds!) assert.ok(f.threshold > 0 && f.threshold < 1);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
