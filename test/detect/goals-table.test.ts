// The goals table (`npm run goals`): figures read from metrics.json as the goals judge them, misses in bold,
// the window AUC on the --stride grid's full windows where a run has it, the comparison seed by seed, one-line errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findProjectRoot } from "../../lib/data/project-root";
import { goalRunFromMetrics, goalsTable, readGoalRun } from "../../lib/detect/goals-table";
import type { MetricsJson } from "../../lib/pipeline/metrics-json";

type M = Parameters<typeof goalRunFromMetrics>[0];

/** A metrics.json of a 30-fall, 40-ADL run with the given figures. */
function metrics(seed: number, o: { adlsWrong?: number; missed?: number; rec?: number; win?: number; grid?: number; median?: number; late?: number; fa?: number; faIds?: string[] } = {}): M {
  const fp = o.adlsWrong ?? 1;
  const fn = o.missed ?? 0;
  return {
    config: { seed, window: 32, stride: 4 } as MetricsJson["config"],
    window: { auc: o.win ?? 0.975 } as MetricsJson["window"],
    ...(o.grid === undefined ? {} : { windowOnGrid: { auc: o.grid, windows: 2372 } }),
    sequence: { auc: o.rec ?? 0.999, confusionMatrix: [[40 - fp, fp], [fn, 30 - fn]] } as MetricsJson["sequence"],
    detection: { delayFrames: { median: o.median ?? 14, maxAfterSegmentEnd: o.late ?? 9 }, falseAlarms: o.fa ?? fp, falseAlarmIds: o.faIds ?? ["adl-33"] } as MetricsJson["detection"],
  };
}

test("a run's goals from its metrics.json: all seven met, or each miss in bold", () => {
  const good = goalRunFromMetrics(metrics(3), "good");
  assert.deepEqual(good.figures, { fallsFound: 30, fallRecordings: 30, adlsRight: 39, adlRecordings: 40, recordingAuc: 0.999, windowAuc: 0.975, medianDelay: 14, maxAfterSegmentEnd: 9, falseAlarms: 1 });
  const bad = goalRunFromMetrics(metrics(4, { adlsWrong: 2, missed: 1, rec: 0.99, win: 0.96, median: 19.5, late: 16, fa: 3, faIds: ["adl-10", "adl-33"] }), "bad");
  const table = goalsTable([bad, good]);
  const rows = table.split("\n").filter((l) => /^\| \d/.test(l));
  assert.deepEqual(rows[0], "| 3 | 30/30 | 39/40 (adl 33) | 0.9990 | 0.9750 | 14 | 9 | 1 | 7/7 |", "sorted by seed");
  assert.deepEqual(rows[1], "| 4 | **29/30** | **38/40** (adl 10, 33) | **0.9900** | **0.9600** | **19.5** | **16** | **3** | 0/7 |");
  assert.match(table, /every fall found on 1, ADLs on 1, recording AUC on 1, window AUC on 1, median delay on 1, the latest alarm on 1, false alarms on 1; all seven on seeds 3 \(7 goals\)/);
  assert.throws(() => goalsTable([good, good]), /seed 3 twice/);
  assert.throws(() => goalsTable([good], [bad, { ...bad, name: "bad-again" }]), /^Error: bad-again: seed 4 twice among the runs compared against/);
  const subset = goalRunFromMetrics({ ...metrics(4), sequence: { auc: 1, confusionMatrix: [[6, 0], [0, 6]] } as MetricsJson["sequence"] }, "subset");
  assert.throws(() => goalsTable([good], [subset]), /^Error: subset: 6 falls and 6 ADLs, but good: 30 falls and 40 ADLs \(runs on other data cannot share a table\)$/);
  assert.throws(() => goalRunFromMetrics({ ...metrics(1), detection: undefined } as unknown as M, "old"), /old: metrics.json has no detection block/);
  // A run that read 76 recordings but evaluated 70 (six shorter than --window): every fall found among those is not
  // "30/30 of the data", so neither the falls nor the ADLs goal is met, and the row says why.
  const data = (sequences: number) => ({ source: "urfd", dir: null, sequences, frames: 11544, note: "" }) as MetricsJson["data"];
  const short = goalRunFromMetrics({ ...metrics(5), data: data(76) }, "short");
  assert.equal(short.figures.recordingsLeftOut, 6);
  assert.match(goalsTable([short]), /^\| 5 \| \*\*30\/30\*\* \(6 recordings left out\) \| \*\*39\/40\*\* \(adl 33\) \| .* \| 5\/7 \|$/m);
  assert.equal(goalRunFromMetrics({ ...metrics(5), data: data(70) }, "whole").figures.recordingsLeftOut, undefined);
});

test("the window AUC goal is judged on the --stride grid's full windows where the run scored others; the comparison is seed by seed", () => {
  // An every-frame run: its own windows 0.965, the full windows on the grid 0.971 (the goal counts the grid).
  const every = goalRunFromMetrics(metrics(1, { win: 0.965, grid: 0.971 }), "every");
  assert.equal(every.figures.windowAuc, 0.971);
  assert.equal(every.ownWindowAuc, 0.965);
  assert.match(goalsTable([every]), /\| 0\.9710 \(0\.9650\) \|/);
  const base = [goalRunFromMetrics(metrics(1, { median: 19.5 }), "b1"), goalRunFromMetrics(metrics(2), "b2")];
  const mine = [every, goalRunFromMetrics(metrics(2, { fa: 2 }), "m2")];
  assert.match(goalsTable(mine, base), /more goals on 1, as many on none, fewer on 2 \(13 goals against 13\)\. Not a new default/);
  assert.match(goalsTable([every], base), /more goals on 1, as many on none, fewer on none \(7 goals against 6\)\. Fewer goals on no seed: against these runs the rule for a new default holds\./);
  assert.match(goalsTable([every, goalRunFromMetrics(metrics(9), "m9")], base), /no run to compare on seeds 9\. Not a new default/);
});

test("npm run goals: a table from run folders; a folder without metrics.json is a one-line error naming the file", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "goals-cli-"));
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(findProjectRoot(), "dist", "lib", "cli", "goals.js"), ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      });
    });
  try {
    for (const s of [1, 2]) {
      fs.mkdirSync(path.join(tmp, `run-${s}`));
      fs.writeFileSync(path.join(tmp, `run-${s}`, "metrics.json"), JSON.stringify(metrics(s, { median: s === 1 ? 14 : 20 })));
    }
    const json = path.join(tmp, "goals.json");
    const ok = await run([path.join(tmp, "run-1"), path.join(tmp, "run-2"), "--against", `${path.join(tmp, "run-2")}`, "--json", json]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /\| 2 \| 30\/30 .* \| \*\*20\*\* \|/);
    assert.match(ok.stdout, /no run to compare on seeds 1/);
    const written = JSON.parse(fs.readFileSync(json, "utf8")) as { seed: number; goalsMet: number }[];
    assert.deepEqual(written.map((r) => [r.seed, r.goalsMet]), [[1, 7], [2, 6]]);
    const missing = await run([path.join(tmp, "nothing-here")]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
    assert.match(missing.stderr, /nothing-here\/metrics\.json: cannot read \(ENOENT\)/);
    fs.writeFileSync(path.join(tmp, "run-1", "metrics.json"), "{}");
    assert.match((await run([path.join(tmp, "run-1")])).stderr, /run-1\/metrics\.json: not a pipeline run's metrics\.json/);
    assert.equal((await run([])).code, 2, "no run folder: a usage error");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("readGoalRun names the file and the field when a metrics.json figure has the wrong type", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "goals-type-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const m = {
    config: { seed: 1 }, window: { auc: 0.97 }, sequence: { confusionMatrix: [[39, 1], [0, 30]], auc: 0.999 },
    detection: { delayFrames: { median: 14, maxAfterSegmentEnd: 5 }, falseAlarms: 1, falseAlarmIds: ["adl-33"] },
  };
  const write = (v: unknown) => fs.writeFileSync(path.join(dir, "metrics.json"), JSON.stringify(v));
  write(m);
  assert.equal(readGoalRun(dir).figures.falseAlarms, 1);
  write({ ...m, sequence: { ...m.sequence, auc: "high" } });
  assert.throws(() => readGoalRun(dir), new RegExp(`^Error: ${path.join(dir, "metrics.json").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: sequence\\.auc must be a number or null, got "high"$`));
  write({ ...m, detection: { ...m.detection, falseAlarms: "1" } });
  assert.throws(() => readGoalRun(dir), /detection\.falseAlarms must hold whole numbers, got "1"/);
});
