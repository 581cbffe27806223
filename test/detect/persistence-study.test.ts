// The persistence study: k windows in a row over the threshold before an alarm. k = 1 is the detector's own
// rule (alarmLogic on the same scores, and a finished run's metrics.json figures); larger k never alarms
// earlier nor more often.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { alarmLogic } from "../../lib/detect/alarms";
import { readGoalRun } from "../../lib/detect/goals-table";
import { persistenceRuns, persistentAlarms } from "../../lib/detect/persistence-study";
import { verifyRun } from "../../lib/detect/verify-run";
import { refractoryFrames } from "../../lib/detect/delay";

const windows = (scores: number[], stride = 1) => scores.map((score, i) => ({ frame: 31 + i * stride, score }));

test("k = 1 alarms where the detector's alarm logic does, refractory period included", () => {
  let x = 12345;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ws = windows(Array.from({ length: 400 }, () => Math.fround(rand())), 2);
  const logic = alarmLogic({ threshold: 0.9, smooth: 1, refractoryFrames: 40, fps: 30 });
  const want = ws.flatMap((w) => logic.step(w.frame, w.score).alarm ?? []);
  assert.ok(want.length > 3, "the sequence raises several alarms");
  assert.deepEqual(persistentAlarms(ws, 1, 0.9, 40, 30), want);
});

test("k windows in a row: a shorter run over the threshold raises nothing, a dip restarts the count", () => {
  const ws = windows([0.2, 0.6, 0.7, 0.1, 0.6, 0.5, 0.55, 0.4]);
  assert.deepEqual(persistentAlarms(ws, 1, 0.5, 100, 30).map((a) => a.frame), [32]);
  assert.deepEqual(persistentAlarms(ws, 2, 0.5, 100, 30).map((a) => a.frame), [33]);
  assert.deepEqual(persistentAlarms(ws, 3, 0.5, 100, 30).map((a) => a.frame), [37], "0.5 counts as over (>=), 0.1 breaks the first run");
  assert.deepEqual(persistentAlarms(ws, 4, 0.5, 100, 30), []);
  assert.deepEqual(persistentAlarms(ws, 2, 0.5, 0, 30).map((a) => a.frame), [33, 36, 37], "no refractory period: every window that completes a run");
  assert.throws(() => persistentAlarms(ws, 0, 0.5, 0, 30), /k must be a whole number/);
  assert.throws(() => persistentAlarms(ws, 1.5, 0.5, 0, 30), /k must be a whole number/);
});

test("on a finished run, k = 1 gives its metrics.json figures and larger k no earlier, no extra alarm", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "persistence-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 5, falls: 6, adls: 6 }));
    const out = path.join(tmp, "out");
    await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 1, scoreStride: 1, folds: 2, ensemble: 1, out }, { log: () => {} });
    const [one, two, three] = await persistenceRuns(out, [1, 2, 3]);
    assert.deepEqual(one.run, readGoalRun(out), "k = 1 is the run as metrics.json reports it");
    for (const later of [two, three]) {
      assert.ok(later.run.figures.falseAlarms <= one.run.figures.falseAlarms, `k = ${later.k}: no more false alarms`);
      assert.ok(later.run.figures.fallsFound <= one.run.figures.fallsFound, `k = ${later.k}: no fall found that k = 1 missed`);
      assert.ok(later.run.figures.adlsRight >= one.run.figures.adlsRight);
      assert.equal(later.run.figures.windowAuc, one.run.figures.windowAuc, "the scores, so the AUCs, are the run's");
    }
    assert.ok(one.run.figures.fallsFound > 0, "the run finds falls, so the delays are compared on something");
    // Recording by recording: a longer run over the threshold never alarms earlier.
    const { replayed, detection } = await verifyRun(out);
    let compared = 0;
    for (const r of replayed) {
      const first = (k: number) => persistentAlarms(r.windows, k, r.threshold, refractoryFrames(detection.refractorySec, detection.fps), detection.fps)[0]?.frame;
      assert.equal(first(1), r.alarms[0]?.frame, `${r.id}: k = 1 is the detector's first alarm`);
      for (const k of [2, 3]) {
        const later = first(k);
        if (later !== undefined) {
          assert.ok(first(1)! <= later, `${r.id}: k = ${k} alarms no earlier`);
          compared++;
        }
      }
    }
    assert.ok(compared > 0, "some recording alarms at k = 2 or 3");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
