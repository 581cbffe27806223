// --adl-transition-copies N: the daily activities' transition windows (label 0 rows in a non-fall recording)
// are added N more times to what a fold's models fit on; nothing else changes.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, makeWindows, writeUrfdFolder } from "../../lib/data";
import { adlTransitionWindows, withAdlTransitionCopies } from "../../lib/pipeline/transition-copies";
import { parsePipelineArgs, pipelineHelp, UsageError, validateStoredOptions, PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";

test("the transition windows are exactly the non-fall windows holding a label-0 row; copies are appended whole", () => {
  const ds = generateSynthetic({ seed: 5, falls: 3, adls: 4 });
  const ws = makeWindows(ds, { T: 16, stride: 4 });
  const chosen = new Set(adlTransitionWindows(ws, ds));
  const rowsOf = new Map(ds.sequences.map((s) => [s.id, s]));
  let adlWithTransition = 0;
  for (let w = 0; w < ws.count; w++) {
    const s = rowsOf.get(ws.sequenceIds[ws.seq[w]])!;
    const last = Array.from({ length: s.length }, (_, i) => s.start + i).find((r) => ds.table.frame[r] === ws.lastFrame[w])!;
    let zeros = 0;
    for (let r = Math.max(s.start, last - 15); r <= last; r++) if (ds.table.label[r] === 0) zeros++;
    const want = !s.isFall && zeros > 0;
    if (want) adlWithTransition++;
    assert.equal(chosen.has(w), want, `window ${w} of ${s.id} ending at frame ${ws.lastFrame[w]}`);
  }
  assert.ok(adlWithTransition > 0, "the generated data has ADL transitions to find");
  const { windows, added } = withAdlTransitionCopies(ws, ds, 2);
  assert.equal(added, 2 * chosen.size);
  assert.equal(windows.count, ws.count + added);
  const F = ws.T * ws.F;
  const order = [...chosen].sort((a, b) => a - b);
  for (let c = 0; c < 2; c++) {
    order.forEach((w, i) => {
      const at = ws.count + c * order.length + i;
      assert.equal(windows.y[at], ws.y[w]);
      assert.equal(windows.sequenceIds[windows.seq[at]], ws.sequenceIds[ws.seq[w]]);
      assert.deepEqual(windows.x.subarray(at * F, (at + 1) * F), ws.x.subarray(w * F, (w + 1) * F));
    });
  }
  assert.equal(withAdlTransitionCopies(ws, ds, 0).windows, ws, "0 copies: the windows as they are");
});

test("--adl-transition-copies: 0 by default, at most 10, urfd only, not with --augment or --grid; with --start-models and --score-stride it is accepted", () => {
  const d = parsePipelineArgs([]);
  assert.ok(d !== "help" && d.adlTransitionCopies === 0);
  const o = parsePipelineArgs(["--adl-transition-copies", "1", "--start-models", "16", "--smooth", "1", "--score-stride", "1", "--threshold-midpoint", "logit"]);
  assert.ok(o !== "help" && o.adlTransitionCopies === 1 && o.startModels === 16);
  for (const [argv, re] of [
    [["--adl-transition-copies", "-1"], /--adl-transition-copies expects a non-negative integer/],
    [["--adl-transition-copies", "11"], /--adl-transition-copies .*at most 10/],
    [["--adl-transition-copies", "1", "--augment", "1"], /--adl-transition-copies and --augment exclude each other/],
    [["--format", "dfcsv", "--data", "df.csv", "--adl-transition-copies", "1"], /--format urfd only/],
    [["--grid", "--adl-transition-copies", "1"], /--grid .* cannot be combined with --adl-transition-copies/],
  ] as [string[], RegExp][]) {
    assert.throws(() => parsePipelineArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(" "));
  }
  assert.match(pipelineHelp(), /--adl-transition-copies N .*\[default: 0\]/);
  const { adlTransitionCopies: _, ...older } = PLAIN_PIPELINE_OPTIONS;
  assert.equal(validateStoredOptions(older, "run-state.json").adlTransitionCopies, 0);
});

test("a run with --adl-transition-copies fits its models on the added windows, both groups with --start-models, and records the option", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "transition-copies-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 5, falls: 6, adls: 6 }));
    const lines: string[] = [];
    const { metrics } = await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 1, window: 16, stride: 4, smooth: 1, scoreStride: 1, startModels: 8, folds: 2, ensemble: 1, adlTransitionCopies: 2, out: path.join(tmp, "out") },
      { log: (l: string) => lines.push(l) },
    );
    const notes = lines.filter((l) => /more copies of the daily activities' transition windows/.test(l));
    assert.equal(notes.length, 4, `two folds × (main models, start models): ${lines.join("\n")}`);
    for (const l of notes) assert.match(l, /\+[1-9]\d* from 2 more copies/);
    assert.equal((metrics.config as { adlTransitionCopies?: number }).adlTransitionCopies, 2);
    // The models fit on the grid windows plus the copies: the rows every worker saw in an epoch add up to both.
    const workers = metrics.training.workers as { fold: number; member: number; samples: number }[];
    notes.forEach((l, i) => {
      const [, grid, added] = /fitting on the (\d+) every 4 frames.*\+(\d+) from 2 more copies/.exec(l)!;
      const fold = (i >> 1) + 1;
      const member = (i & 1) + 1; // the main model, then the start model
      const seen = workers.filter((w) => w.fold === fold && w.member === member).reduce((a, w) => a + w.samples, 0);
      assert.equal(seen, Number(grid) + Number(added), `fold ${fold}, ${member === 1 ? "main" : "start"} model: ${l}`);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
