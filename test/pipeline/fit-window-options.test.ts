import { test } from "node:test";
import assert from "node:assert/strict";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";

/** Parsed as a --detector plain run: these options are measured against the plain ensemble. */
const parsePlain = (argv: readonly string[]) => parsePipelineArgs(["--detector", "plain", ...argv]);

test("--min-falling-rows: 0 (off) by default, at most --window, urfd only, not with --augment, 0 when an older run-state.json lacks it", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.minFallingRows === 0);
  const o = parsePlain(["--min-falling-rows", "8"]);
  assert.ok(o !== "help" && o.minFallingRows === 8);
  for (const [argv, re] of [
    [["--min-falling-rows", "-1"], /--min-falling-rows expects a non-negative integer/],
    [["--min-falling-rows", "33"], /--min-falling-rows must be at most --window \(32\)/],
    [["--min-falling-rows", "1"], /--min-falling-rows 1 leaves nothing out .*give 0 \(off\) or 2 or more/],
    [["--format", "dfcsv", "--data", "df.csv", "--min-falling-rows", "4"], /--min-falling-rows .*--format urfd only/],
    [["--min-falling-rows", "4", "--augment", "1"], /--min-falling-rows and --augment exclude each other/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--min-falling-rows N .*\[default: 0\]/);
  const { minFallingRows: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").minFallingRows, 0);
});

test("a run with --min-falling-rows 8 fits each fold on fewer windows and says so; the threshold and the evaluation keep every window", async () => {
  await withSyntheticFolder("min-falling-rows", { seed: 3, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    const lines: string[] = [];
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 1, window: 16, stride: 4, folds: 2, ensemble: 1, minFallingRows: 8, out }, { log: (l) => lines.push(l) });
    const said = lines.map((l) => /^fold \d\/2: training on (\d+) windows \(fitting on (\d+): fall windows with fewer than 8 falling frames left out\).*testing on (\d+)/.exec(l)).filter((m) => m !== null);
    assert.equal(said.length, 2, lines.join("\n"));
    for (const m of said) assert.ok(Number(m![2]) < Number(m![1]), m![0]);
    assert.equal(metrics.config.minFallingRows, 8);
    const cells = (cm: number[][]): number => cm.flat().reduce((a, b) => a + b, 0);
    assert.equal(cells(metrics.window.confusionMatrix), said.reduce((a, m) => a + Number(m![3]), 0));
  });
});

test("--onset-windows: 0 (off) by default, at most --window, urfd only, alone among the fit-window options", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.onsetWindows === 0);
  for (const [argv, re] of [
    [["--onset-windows", "33"], /--onset-windows must be at most --window \(32\)/],
    [["--format", "dfcsv", "--data", "df.csv", "--onset-windows", "4"], /--onset-windows .*--format urfd only/],
    [["--onset-windows", "4", "--min-falling-rows", "8"], /exclude each other/],
    [["--onset-windows", "4", "--augment", "1"], /exclude each other/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--onset-windows N .*\[default: 0\]/);
  const { onsetWindows: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").onsetWindows, 0);
});

test("a run with --onset-windows 8 adds off-grid onset windows of training falls only, and says so", async () => {
  await withSyntheticFolder("onset-windows", { seed: 3, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    const lines: string[] = [];
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 1, window: 16, stride: 4, folds: 2, ensemble: 1, onsetWindows: 8, out }, { log: (l) => lines.push(l) });
    const said = lines.map((l) => /^fold \d\/2: training on \d+ windows \(\+(\d+) fall-onset windows at every frame holding 1\.\.8 falling frames\)/.exec(l)).filter((m) => m !== null);
    assert.equal(said.length, 2, lines.join("\n"));
    // Stride 4 leaves 3 of every 4 onset windows off the grid: each of 3 training falls adds some.
    for (const m of said) assert.ok(Number(m![1]) >= 3, m![0]);
    assert.equal(metrics.config.onsetWindows, 8);
  });
});

test("--score-stride: 1 by default (--detector deploy), unset with --detector plain, a divisor of --stride, urfd only, alone among the fit-window options", () => {
  const d = parsePlain([]);
  assert.ok(d !== "help" && d.scoreStride === null);
  const o = parsePlain(["--score-stride", "2"]);
  assert.ok(o !== "help" && o.scoreStride === 2);
  for (const [argv, re] of [
    [["--score-stride", "0"], /--score-stride expects a positive integer/],
    [["--score-stride", "3"], /--score-stride must divide --stride \(4\), got 3/],
    [["--format", "dfcsv", "--data", "df.csv", "--score-stride", "1"], /--score-stride .*--format urfd only/],
    [["--score-stride", "1", "--augment", "1"], /exclude each other/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePlain(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--score-stride N .*\[default: 1; --detector plain: --stride\]/);
  const { scoreStride: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").scoreStride, null);
});
