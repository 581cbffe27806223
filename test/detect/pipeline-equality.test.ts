// The detector is exactly the evaluated model: a small pipeline run (2 folds, an ensemble of 2,
// smoothing over 3 windows), then every test recording of every fold replayed frame by frame through
// FallDetector.fromDir(the fold's model folder) gives the pipeline's recording decisions, its window
// scores and the metrics.json detection block.
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, loadUrfd, readWindowSet, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { loadSavedDetector, scoreWindows } from "../../lib/export/saved-model";
import { smoothScores } from "../../lib/evaluate";
import { DatasetReplay, detectionFigures, FallDetector, replayDataset, verifyRun } from "../../lib/detect";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";
import { withFrameGap } from "../fixtures/frame-gap";
import { joinHeld, joinRule, ScoreHold, SecondWindowRule } from "../../lib/detect/second-window";
import { alignToThreshold } from "../../lib/evaluate/align";

test("replaying every test recording through FallDetector gives the pipeline's decisions, scores and detection figures", async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "detect-equality-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 7, falls: 6, adls: 6 }));
    const out = path.join(tmp, "out");
    const { metrics } = await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 3, folds: 2, ensemble: 2, out },
      { log: () => {} },
    );
    const ds = loadUrfd(dataDir); // the same parsed floats the pipeline read
    const all: DatasetReplay[] = [];
    for (const fold of [1, 2]) {
      const dir = path.join(out, "models", `fold-${fold}`);
      const test = readWindowSet(path.join(out, "arrow", `fold-${fold}`, "test.arrow"));
      const ids = [...new Set(test.seq)].sort((a, b) => a - b).map((s) => test.sequenceIds[s]);
      const detector = await FallDetector.fromDir(dir);
      assert.equal(detector.members, 2, "both ensemble members");
      for (const m of [1, 2]) assert.equal(JSON.parse(fs.readFileSync(path.join(dir, `member-${m}`, "preprocessing.json"), "utf8")).members, 2, "each member's preprocessing.json gives the ensemble's size");
      assert.equal(detector.threshold, metrics.folds![fold - 1].threshold, "preprocessing.json's threshold is the fold's");
      const replayed = replayDataset(detector, ds, { ids });
      detector.dispose();
      // The fold's window scores as the pipeline computes them (the saved members' mean, smoothed).
      const saved = await loadSavedDetector(dir);
      const scores = smoothScores(scoreWindows(saved.models, test), test, 3);
      for (const m of saved.models) m.dispose();
      for (const r of replayed) {
        const s = test.sequenceIds.indexOf(r.id);
        const idx = Array.from({ length: test.count }, (_, i) => i).filter((i) => test.seq[i] === s).sort((a, b) => test.lastFrame[a] - test.lastFrame[b]);
        assert.deepEqual(r.windows.map((w) => w.frame), idx.map((i) => test.lastFrame[i]), `${r.id}: the pipeline's windows`);
        const diff = Math.max(...r.windows.map((w, k) => Math.abs(w.score - scores[idx[k]])));
        assert.ok(diff <= 1e-5, `${r.id}: scores agree (max diff ${diff})`);
      }
      all.push(...replayed);
    }
    assert.equal(all.length, metrics.data.sequences, "every recording is replayed once, out of fold");
    const flagged = (r: DatasetReplay) => r.alarms.length > 0;
    for (const r of all) {
      const pipelineSaysFall = r.isFall ? !metrics.sequence.missedFalls.includes(r.id) : metrics.sequence.falseAlarms.includes(r.id);
      assert.equal(flagged(r), pipelineSaysFall, `${r.id}: the detector's decision is the pipeline's`);
    }
    assert.deepEqual(detectionFigures(all, { refractorySec: metrics.detection.refractorySec }), metrics.detection, "the detection block is what the detector does");
    // verifyRun (what the model card's real-data check runs) agrees, and notices a changed run.
    const check = await verifyRun(out, ds);
    assert.deepEqual([check.recordings, check.decisionMismatches, check.detectionEqual], [all.length, [], true]);
    const file = path.join(out, "metrics.json");
    const doctored = JSON.parse(fs.readFileSync(file, "utf8"));
    doctored.sequence.falseAlarms = doctored.sequence.falseAlarms.length ? [] : ["adl-01"];
    doctored.detection.falseAlarms += 1;
    fs.writeFileSync(file, JSON.stringify(doctored));
    const bad = await verifyRun(out, ds);
    assert.equal(bad.detectionEqual, false);
    assert.ok(bad.decisionMismatches.length > 0);
    const [[tn, fp], [fn, tp]] = metrics.sequence.confusionMatrix;
    t.diagnostic(`decisions: ${tp} falls found, ${fn} missed, ${tn} ADLs right, ${fp} false alarms; ${all.reduce((a, r) => a + r.alarms.length, 0)} alarms`);
    assert.ok(all.some(flagged), "some recording raised an alarm (the comparison is not vacuous)");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("a run with a difference lag longer than its window (--diff-lags 1,4,24, window 16) replays to the pipeline's decisions", () =>
  withSyntheticFolder("detect-lags", { seed: 8, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    const { metrics } = await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 3, folds: 2, ensemble: 1, diffLags: [1, 4, 24], out },
      { log: () => {} },
    );
    const pre = JSON.parse(fs.readFileSync(path.join(out, "models", "fold-1", "preprocessing.json"), "utf8"));
    assert.deepEqual(pre.window.diffLags, [1, 4, 24], "the model folder names its lags");
    assert.equal(pre.scaler.featureNames.length, 32, "8 features and 3 lags' differences");
    assert.deepEqual(metrics.config.diffLags, [1, 4, 24], "metrics.json records the lags");
    const check = await verifyRun(out, loadUrfd(dataDir));
    assert.deepEqual([check.recordings, check.decisionMismatches, check.detectionEqual], [metrics.data.sequences, [], true]);
  }));

test("a --start-models run replays to the pipeline's windows, decisions and detection figures, its start models scoring the first windows, frame gaps included", () =>
  withSyntheticFolder("detect-start", { seed: 9, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    await initBackend();
    const tensorsBefore = tf.memory().numTensors;
    const { metrics } = await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, scoreStride: 1, smooth: 1, thresholdMidpoint: "logit", folds: 2, ensemble: 2, startModels: 8, out },
      { log: () => {} },
    );
    assert.equal(tf.memory().numTensors, tensorsBefore, "both groups' models are freed once saved");
    const ds = loadUrfd(dataDir);
    const check = await verifyRun(out, ds);
    assert.deepEqual([check.recordings, check.decisionMismatches, check.detectionEqual], [metrics.data.sequences, [], true]);
    assert.ok(check.replayed.some((r) => r.alarms.length > 0), "some recording alarmed (the comparison is not vacuous)");
    // Every recording's stream starts at its 8th real frame (row): the start models' windows are scored; one window a
    // frame from there, as many as the pipeline evaluated (a recording that skips a frame number keeps them all).
    for (const r of check.replayed) {
      const rows = ds.sequences.find((q) => q.id === r.id)!;
      assert.equal(r.windows[0].frame, ds.table.frame[rows.start + 7], `${r.id}: first window at 8 real frames`);
      assert.equal(r.windows.length, rows.length - 7, `${r.id}: a window every frame from the 8th`);
    }
    const [[tn, fp], [fn, tp]] = metrics.window.confusionMatrix;
    assert.equal(check.windows, tn + fp + fn + tp, "the detector scored exactly the pipeline's windows");
    for (const [k, f] of metrics.folds!.entries()) {
      assert.equal(f.threshold, 0.5, "scores aligned to the fold's two thresholds");
      const d = await FallDetector.fromDir(path.join(out, "models", `fold-${k + 1}`));
      assert.deepEqual([d.members, d.startModels], [4, { members: 2, padStarts: 8, ...f.startModels! }], "both groups, the thresholds metrics.json gives");
      d.dispose();
    }
    assert.ok(metrics.windowOnGrid && metrics.windowUnpadded, "window AUC over the full windows and over the default's grid");
    // A member folder alone is not the evaluated detector: refused with the folder to load.
    await assert.rejects(FallDetector.fromDir(path.join(out, "models", "fold-1", "member-1")), /one member of an ensemble with start models; load .*fold-1 for the evaluated detector/);
  }, (ds) => withFrameGap(withFrameGap(ds, 12, 0), 14, ds.sequences.length - 1)));

/** A --second-window run with `rule` (and `hold`): the detector replays it, each frame's score the rule on its two detectors' (held) scores. */
const secondWindowEquality = (rule: SecondWindowRule, hold = 0, level = 0.5) => () =>
  withSyntheticFolder("detect-second", { seed: 10, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    await initBackend();
    const tensorsBefore = tf.memory().numTensors;
    const { metrics } = await runPipeline(
      { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, scoreStride: 1, smooth: 1, thresholdMidpoint: "logit", folds: 2, ensemble: 1, startModels: 8, secondWindow: 24, secondWindowRule: rule, secondWindowHold: hold, secondWindowLevel: level, out },
      { log: () => {} },
    );
    assert.equal(tf.memory().numTensors, tensorsBefore, "both detectors' models are freed once saved");
    const ds = loadUrfd(dataDir);
    const check = await verifyRun(out, ds);
    assert.deepEqual([check.recordings, check.decisionMismatches, check.detectionEqual], [metrics.data.sequences, [], true]);
    assert.ok(check.replayed.some((r) => r.alarms.length > 0), "some recording alarmed (the comparison is not vacuous)");
    const [[tn, fp], [fn, tp]] = metrics.window.confusionMatrix;
    assert.equal(check.windows, tn + fp + fn + tp, "the detector scored exactly the pipeline's windows");
    let differ = 0;
    let lifted = 0;
    let lowered = 0;
    for (const [k, f] of metrics.folds!.entries()) {
      const dir = path.join(out, "models", `fold-${k + 1}`);
      const pre = JSON.parse(fs.readFileSync(path.join(dir, "preprocessing.json"), "utf8"));
      assert.deepEqual(pre.secondWindow, { dir: "window-24", rule, ...(hold ? { hold } : {}), ...(level !== 0.5 ? { level } : {}) }, "the first detector's folder names the second, the rule, the hold and the level");
      const d = await FallDetector.fromDir(dir);
      assert.deepEqual([d.members, d.secondWindow], [2, { dir: "window-24", rule, hold, level, T: 24, members: 2, padStarts: 16, ...f.secondWindow! }], "both detectors, the thresholds metrics.json gives");
      // The second detector alone scores the same frames; each joined score is the lower of the two aligned ones.
      const alone = await FallDetector.fromDir(path.join(dir, "window-24"));
      const test = readWindowSet(path.join(out, "arrow", `fold-${k + 1}`, "test.arrow"));
      const ids = [...new Set(test.seq)].map((s) => test.sequenceIds[s]);
      for (const id of ids) {
        const q = ds.sequences.find((s) => s.id === id)!;
        d.reset(0);
        alone.reset(0);
        const held = [new ScoreHold(hold), new ScoreHold(hold)];
        for (let r = q.start; r < q.start + q.length; r++) {
          const x = ds.table.features.subarray(r * 8, (r + 1) * 8);
          const step = d.push(x, ds.table.frame[r]);
          const other = alone.push(x, ds.table.frame[r]);
          assert.equal(step === null, other === null, `${id}: both score frame ${ds.table.frame[r]}`);
          if (!step || !other) continue;
          assert.equal(step.detectors!.second, other.score, `${id}: the second detector's score`);
          const { first } = step.detectors!;
          // The second's score as its level places it (alignToThreshold's arithmetic): itself at 0.5.
          const second = level === 0.5 ? step.detectors!.second : alignToThreshold([step.detectors!.second], level)[0];
          if (second >= 0.5 && step.detectors!.second < 0.5) lowered++;
          const unheld = joinRule(rule)(first, second);
          assert.equal(step.probability, joinHeld(joinRule(rule), first, second, held[0].push(step.frame, first), held[1].push(step.frame, second)));
          if (step.probability !== unheld) lifted++;
          if (step.detectors!.first !== step.detectors!.second) differ++;
        }
      }
      d.dispose();
      alone.dispose();
    }
    assert.ok(differ > 0, "the two detectors' scores differ somewhere (the join is not vacuous)");
    if (hold) assert.ok(lifted > 0, "the hold lifted some frame to the threshold (it is not vacuous)");
    else assert.equal(lifted, 0);
    if (level !== 0.5) assert.ok(lowered > 0, "the level let some score of the second pass that its threshold did not (it is not vacuous)");
    // A second detector whose start models are padded otherwise would score other frames: refused, naming its folder.
    const startPre = path.join(out, "models", "fold-1", "window-24", "start", "preprocessing.json");
    const doctored = JSON.parse(fs.readFileSync(startPre, "utf8"));
    doctored.window.padStarts = 15;
    fs.writeFileSync(startPre, JSON.stringify(doctored));
    await assert.rejects(FallDetector.fromDir(path.join(out, "models", "fold-1")), /window-24.*preprocessing\.json: second window \("window-24"\): start models padded 15 times, the first's 8/);
  });

test("a --second-window run replays to the pipeline's windows, decisions and detection figures, each frame the lower of its two detectors' scores", secondWindowEquality("min"));

test("a --second-window-rule min-agree --second-window-hold 4 --second-window-level 0.4 run replays to the pipeline's windows, decisions and detection figures, each frame its two detectors' held scores joined by the rule, the second at its level", secondWindowEquality("min-agree", 4, 0.4));

test("a --second-window-rule min-agree-mean --second-window-hold 4 run replays to the pipeline's windows, decisions and detection figures, each frame its two detectors' held scores joined by the rule", secondWindowEquality("min-agree-mean", 4));
