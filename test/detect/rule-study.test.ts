// The alarm-rule study scores runs as the pipeline does: today's rule on a finished run gives exactly
// its metrics.json (so the other rules are compared on the same footing), thresholds come from the
// training side only, and the rules combine members and veto windows as documented.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, loadUrfd, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { combineMembers, confirmed, LEAD_RULES, MIDPOINT_RULES, STUDIED_RULES, vetoDelayFloor, vetoed } from "../../lib/detect/alarm-rules";
import { replayWindowSet } from "../../lib/detect/replay";
import { rescoreRun } from "../../lib/detect/rescore-run";
import { studyRule, trainingSideAlarms } from "../../lib/detect/rule-study";
import { goalsMet, GoalFigures } from "../../lib/detect/goals";
import { EVERY_FRAME_START_RULES, START_MODEL_RULES, studyStartModel } from "../../lib/detect/start-model-study";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";

test("today's rule on a finished run reproduces its metrics.json; thresholds come from training windows", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rule-study-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 5, falls: 6, adls: 6 }));
    const out = path.join(tmp, "out");
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 3, folds: 2, ensemble: 2, out }, { log: () => {} });
    const ds = loadUrfd(dataDir);
    const folds = await rescoreRun(out);
    assert.deepEqual(folds.map((f) => f.trainMembers.length), [2, 2]);
    const today = studyRule(folds, STUDIED_RULES[0], ds);
    assert.deepEqual(today.thresholds, metrics.folds!.map((f) => f.threshold), "each fold's threshold, chosen again on its training windows");
    assert.equal(today.figures.windowAuc, metrics.window.auc);
    assert.equal(today.figures.recordingAuc, metrics.sequence.auc);
    assert.deepEqual([today.falseAlarmIds, today.missedFallIds, today.figures.falseAlarms, today.figures.medianDelay], [metrics.detection.falseAlarmIds, metrics.detection.missedFallIds, metrics.detection.falseAlarms, metrics.detection.delayFrames.median]);
    // Test scores never move a threshold: scrambling every test probability leaves them as they were.
    const scrambled = folds.map((f) => ({ ...f, testMembers: f.testMembers.map((m) => m.map((_, i) => (i % 7) / 7)) }));
    assert.deepEqual(studyRule(scrambled, STUDIED_RULES[0], ds).thresholds, today.thresholds);
    // Re-cut at stride 1 the same recordings are scored, with more windows.
    const fine = await rescoreRun(out, { ds, stride: 1 });
    assert.ok(fine[0].test.count > folds[0].test.count);
    assert.deepEqual(new Set(fine[0].test.seq).size, new Set(folds[0].test.seq).size);
    // Padded, windows before T real frames exist are added to the same recordings.
    const padded = await rescoreRun(out, { ds, padMinReal: 8 });
    assert.ok(padded[0].test.count > folds[0].test.count);
    assert.deepEqual(new Set(padded[0].test.seq).size, new Set(folds[0].test.seq).size);
    await assert.rejects(rescoreRun(out, { ds, padMinReal: 17 }), /padMinReal must be at most T = 16/);
    // The training side replayed: labels as scores alarm every training fall and no ADL; one score everywhere alarms every ADL.
    const labels = folds.map((f) => ({ ...f, trainMembers: f.trainMembers.map(() => Float32Array.from(f.train.y)) }));
    for (const p of trainingSideAlarms(labels, STUDIED_RULES[0], ds)) assert.deepEqual([p.falseAlarms, p.missedFalls], [0, 0], `fold ${p.fold}`);
    const flat = folds.map((f) => ({ ...f, trainMembers: f.trainMembers.map((m) => m.map(() => 0.9)) }));
    trainingSideAlarms(flat, STUDIED_RULES[0], ds).forEach((p, k) => {
      const adls = new Set(Array.from(folds[k].train.seq).filter((q) => !folds[k].train.sequenceIsFall[q])).size;
      assert.ok(p.falseAlarms >= adls && adls > 0, `fold ${p.fold}: ${p.falseAlarms} false alarms over ${adls} training ADLs`);
    });
    // The start model: its windows (8..T-1 real frames) go in front of the default's full windows.
    const rule = START_MODEL_RULES[1];
    const never = padded.map((f) => ({ ...f, testMembers: f.testMembers.map((m) => m.map(() => 0)) }));
    const quiet = studyStartModel(folds, never, rule, ds);
    assert.equal(quiet.figures.windowAuc, today.figures.windowAuc, "the window AUC is the default model's, on its full windows");
    assert.deepEqual([quiet.falseAlarmIds, quiet.missedFallIds, quiet.figures.medianDelay], [today.falseAlarmIds, today.missedFallIds, today.figures.medianDelay], "a start model that never fires changes no alarm");
    const always = padded.map((f) => ({ ...f, testMembers: f.testMembers.map((m) => m.map(() => 1)) }));
    const loud = studyStartModel(folds, always, rule, ds);
    assert.equal(loud.figures.adlsRight, 0, "a start model that always fires alarms on every ADL at its 8th frame");
    assert.throws(() => studyStartModel(folds, padded.slice(1), rule, ds), /different folds/);
    // Every frame: the default models' stride-1 windows, the logit midpoint; a silent start model leaves their own alarms.
    const every = EVERY_FRAME_START_RULES[0];
    const paddedFine = await rescoreRun(out, { ds, stride: 1, padMinReal: 8 });
    const alone = studyRule(fine, every.full, ds);
    const silent = studyStartModel(fine, paddedFine.map((f) => ({ ...f, testMembers: f.testMembers.map((m) => m.map(() => 0)) })), every, ds, 4);
    assert.deepEqual([silent.falseAlarmIds, silent.missedFallIds, silent.figures.medianDelay], [alone.falseAlarmIds, alone.missedFallIds, alone.figures.medianDelay]);
    assert.equal(silent.figures.windowAuc, alone.figures.windowAuc, "the window AUC is the default models' on their stride-1 full windows");
    assert.notEqual(silent.fullWindowAuc, null, "the grid AUC is taken over the full windows every 4 frames");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("members combine by mean (float32, as the pipeline), logit mean, median and min; the veto zeroes windows where the person is not down", () => {
  const a = Float32Array.from([0.1, 0.9, 0.5]);
  const b = Float32Array.from([0.3, 0.5, 0.5]);
  const c = Float32Array.from([0.2, 0.1, 0.99]);
  // The pipeline's float32 running sum, then a float32 division.
  const f32mean = (...v: number[]) => Math.fround(v.reduce((sum, x) => Math.fround(sum + Math.fround(x)), 0) / v.length);
  assert.deepEqual(Array.from(combineMembers([a, b, c], "mean")), [f32mean(0.1, 0.3, 0.2), f32mean(0.9, 0.5, 0.1), f32mean(0.5, 0.5, 0.99)]);
  assert.deepEqual(Array.from(combineMembers([a, b, c], "median")), Array.from(Float32Array.from([0.2, 0.5, 0.5])));
  assert.deepEqual(Array.from(combineMembers([a, b, c], "min")), Array.from(Float32Array.from([0.1, 0.1, 0.5])));
  const lm = combineMembers([Float32Array.from([0.5]), Float32Array.from([0.9])], "logit-mean")[0];
  assert.ok(Math.abs(lm - 0.75) < 1e-6, `logit mean of 0.5 and 0.9 is 0.75, got ${lm}`);
  const ds = generateSynthetic({ seed: 1, falls: 1, adls: 1 });
  const s = ds.sequences[0];
  const j = ds.table.featureNames.indexOf("HHmaxRatio");
  const frames = [s.start + 20, s.start + s.length - 1].map((r) => ds.table.frame[r]);
  const hh = [s.start + 20, s.start + s.length - 1].map((r) => ds.table.features[r * 8 + j]);
  const windows = { count: 2, seq: Int32Array.from([0, 0]), lastFrame: Int32Array.from(frames), sequenceIds: [s.id] };
  const cut = (hh[0] + hh[1]) / 2;
  const out = vetoed({ name: "v", aggregate: "mean", smooth: 1, veto: { feature: "HHmaxRatio", max: cut } }, Float32Array.from([0.8, 0.9]), windows, ds);
  assert.deepEqual(Array.from(out), hh.map((h, i) => (h <= cut ? [0.8, 0.9][i] : 0)).map((v) => Math.fround(v)));
  assert.notDeepEqual(hh[0] <= cut, hh[1] <= cut, "the two frames sit on either side of the cut");
  assert.throws(() => vetoed({ name: "v", aggregate: "mean", smooth: 1, veto: { feature: "Nope", max: 1 } }, Float32Array.from([1, 1]), windows, ds), /no feature "Nope"/);
});

test("goalsMet: each bar of issue 15, met exactly at the bar and not beyond it", () => {
  const at: GoalFigures = { fallsFound: 30, fallRecordings: 30, adlsRight: 39, adlRecordings: 40, recordingAuc: 0.995, windowAuc: 0.97, medianDelay: 15, maxAfterSegmentEnd: 15, falseAlarms: 1 };
  assert.ok(Object.values(goalsMet(at)).every(Boolean));
  const beyond = goalsMet({ fallsFound: 29, fallRecordings: 30, adlsRight: 38, adlRecordings: 40, recordingAuc: 0.9949, windowAuc: 0.9699, medianDelay: 15.5, maxAfterSegmentEnd: 16, falseAlarms: 2 });
  assert.ok(Object.values(beyond).every((v) => !v), JSON.stringify(beyond));
});

test("lead 2's confirmation: the first alarm is the first window at or over the threshold whose last frame is down (HHmaxRatio <= x), and nothing after it is read", () => {
  const ds = generateSynthetic({ seed: 3, falls: 1, adls: 0 });
  const s = ds.sequences[0];
  const nf = ds.table.featureNames.length;
  const j = ds.table.featureNames.indexOf("HHmaxRatio");
  const hhAt = (r: number) => ds.table.features[r * nf + j];
  // A window ending at every frame from the 16th on, its score rising from 0 to 1 over the recording.
  const rows = Array.from({ length: s.length - 15 }, (_, i) => s.start + 15 + i);
  const windows = { count: rows.length, seq: new Int32Array(rows.length), lastFrame: Int32Array.from(rows.map((r) => ds.table.frame[r])), sequenceIds: [s.id], sequenceIsFall: Uint8Array.from([1]) };
  const probs = Float32Array.from(rows, (_, i) => i / (rows.length - 1));
  const threshold = 0.3;
  const leads = LEAD_RULES.filter((r) => r.veto && r.smooth === 1);
  assert.deepEqual(leads.map((r) => r.veto!.max), [0.5, 0.6, 0.7], "lead 2's cut-offs");
  const firstAlarm = (hh: (r: number) => number, max: number): number | undefined => {
    const rule = { name: "x", aggregate: "mean" as const, smooth: 1, veto: { feature: "HHmaxRatio", max } };
    const scores = vetoed(rule, probs, windows, ds);
    return replayWindowSet(ds, windows, scores, { threshold, smooth: 1, refractorySec: 10 })[0].alarms[0]?.frame;
  };
  const firsts = leads.map((r) => {
    const expected = rows.findIndex((row, i) => probs[i] >= threshold && hhAt(row) <= r.veto!.max);
    assert.ok(expected >= 0, `the synthetic fall gets down to HHmaxRatio ${r.veto!.max}`);
    const got = firstAlarm(hhAt, r.veto!.max);
    assert.equal(got, ds.table.frame[rows[expected]], `x = ${r.veto!.max}`);
    // No look-ahead: every frame after the alarm made standing again changes nothing.
    const features = ds.table.features;
    const saved = Float32Array.from(features);
    for (let r = rows[expected] + 1; r < s.start + s.length; r++) features[r * nf + j] = 1;
    try {
      assert.equal(firstAlarm(hhAt, r.veto!.max), got);
    } finally {
      features.set(saved);
    }
    return got!;
  });
  assert.ok(firsts[1] <= firsts[0] && firsts[2] <= firsts[1], "a higher cut-off never alarms later");
});

test("a veto's delay floor: frames from the falling segment's start to the first frame down, per fall, from the features alone", () => {
  const ds = generateSynthetic({ seed: 4, falls: 3, adls: 2 });
  const falls = ds.sequences.filter((s) => s.isFall).map((s) => s.id);
  const always = vetoDelayFloor(ds, "HHmaxRatio", Infinity);
  assert.deepEqual(Object.keys(always.perRecording), falls, "fall recordings only");
  assert.deepEqual([Object.values(always.perRecording), always.median], [falls.map(() => 0), 0], "no veto: the segment's first frame");
  const never = vetoDelayFloor(ds, "HHmaxRatio", -1);
  assert.deepEqual([Object.values(never.perRecording), never.median], [falls.map(() => null), null]);
  // One fall by hand: the first frame at or after the segment start at or below the cut.
  const s = ds.sequences.find((q) => q.isFall)!;
  const nf = ds.table.featureNames.length;
  const j = ds.table.featureNames.indexOf("HHmaxRatio");
  let start = -1;
  for (let r = s.start; r < s.start + s.length && start < 0; r++) if (ds.table.label[r] === 0) start = r;
  const cut = ds.table.features[(start + 5) * nf + j];
  let first = start;
  while (ds.table.features[first * nf + j] > cut) first++;
  assert.equal(vetoDelayFloor(ds, "HHmaxRatio", cut).perRecording[s.id], ds.table.frame[first] - ds.table.frame[start]);
  assert.throws(() => vetoDelayFloor(ds, "Nope", 1), /no feature "Nope"/);
});

test("--threshold-midpoint logit: the pipeline's fold thresholds are the study's logit-midpoint rule's, and its metrics.json that rule's figures", () =>
  withSyntheticFolder("rule-midpoint", { seed: 5, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 2, thresholdMidpoint: "logit", folds: 2, ensemble: 2, out }, { log: () => {} });
    assert.equal(metrics.config.thresholdMidpoint, "logit");
    const ds = loadUrfd(dataDir);
    const folds = await rescoreRun(out);
    const rule = MIDPOINT_RULES.find((r) => r.smooth === 2 && r.midpoint === "logit" && r.aggregate === "mean")!;
    const logit = studyRule(folds, rule, ds);
    // Within float rounding: the study scores the windows again with the saved members (3e-8 seen on this data).
    logit.thresholds.forEach((t, k) => assert.ok(Math.abs(t - metrics.folds![k].threshold) < 1e-6, `fold ${k + 1}: ${t} against ${metrics.folds![k].threshold}`));
    assert.deepEqual([logit.falseAlarmIds, logit.missedFallIds, logit.figures.medianDelay], [metrics.detection.falseAlarmIds, metrics.detection.missedFallIds, metrics.detection.delayFrames.median]);
    const plain = studyRule(folds, { ...rule, midpoint: "probability" }, ds);
    assert.notDeepEqual(plain.thresholds, logit.thresholds, "the two midpoints put the thresholds in different places");
  }));

test("confirmed: a window alarms at the high threshold, or after k windows of its recording at the low one, never reading ahead", () => {
  // Two recordings, windows given out of frame order to check the ordering.
  const windows = { count: 8, seq: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]), lastFrame: Int32Array.from([40, 32, 36, 44, 32, 36, 40, 44]) };
  //                 frame:  40   32   36   44  |  32   36   40   44
  const scores = Float32Array.from([0.6, 0.6, 0.6, 0.2, 0.6, 0.95, 0.1, 0.6]);
  const out = confirmed(scores, windows, 0.9, 0.5, 3);
  // Recording 0: frames 32, 36, 40 over 0.5 → the third (frame 40) alarms at 0.9; frame 44 drops.
  assert.deepEqual(Array.from(out.slice(0, 4), (v) => Number(v.toFixed(2))), [0.9, 0.6, 0.6, 0.2]);
  // Recording 1: the run is cut at frame 40 and starts again; 0.95 alarms on its own; no run reaches 3 across recordings.
  assert.deepEqual(Array.from(out.slice(4), (v) => Number(v.toFixed(2))), [0.6, 0.95, 0.1, 0.6]);
  assert.deepEqual(Array.from(confirmed(scores, windows, 0.9, 0.5, 1).slice(0, 4), (v) => Number(v.toFixed(2))), [0.9, 0.9, 0.9, 0.2], "k = 1: the low threshold alone");
  assert.throws(() => confirmed(scores, windows, 0.4, 0.5, 3), /need low <= high/);
});

test("--pad-starts: metrics.json gives the window AUC over the windows with T real frames, as the study computes it, over an unpadded run's window set", () =>
  withSyntheticFolder("rule-padded", { seed: 5, falls: 6, adls: 6 }, async ({ dataDir, tmp }) => {
    const opts = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 3, folds: 2, ensemble: 1 };
    const out = path.join(tmp, "padded");
    const { metrics } = await runPipeline({ ...opts, padStarts: 8, out }, { log: () => {} });
    assert.ok(metrics.windowUnpadded, "a padded run reports its unpadded windows");
    const study = studyRule(await rescoreRun(out), STUDIED_RULES[0], loadUrfd(dataDir));
    assert.equal(metrics.windowUnpadded.auc, study.fullWindowAuc);
    assert.equal(study.figures.windowAuc, metrics.window.auc);
    const plain = await runPipeline({ ...opts, out: path.join(tmp, "plain") }, { log: () => {} });
    assert.equal(plain.metrics.windowUnpadded, undefined, "an unpadded run has no such block");
    const count = (m: typeof metrics) => m.window.confusionMatrix.flat().reduce((a, b) => a + b, 0);
    assert.equal(metrics.windowUnpadded.windows, count(plain.metrics), "the same windows as the unpadded run");
    assert.ok(count(metrics) > metrics.windowUnpadded.windows, "the padded run scores more windows");
  }));

test("--score-stride: the study's grid window AUC is metrics.json → windowOnGrid of a run scored every frame", () =>
  withSyntheticFolder("rule-grid", { seed: 6, falls: 6, adls: 6 }, async ({ dataDir, tmp }) => {
    const opts = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, smooth: 1, folds: 2, ensemble: 1 };
    const out = path.join(tmp, "every-frame");
    const { metrics } = await runPipeline({ ...opts, scoreStride: 1, out }, { log: () => {} });
    assert.ok(metrics.windowOnGrid, "a run scored every frame reports the --stride grid's full windows");
    const folds = await rescoreRun(out);
    const rule = { name: "mean, smooth 1", aggregate: "mean" as const, smooth: 1 };
    const study = studyRule(folds, rule, loadUrfd(dataDir), { gridStride: 4 });
    assert.equal(study.gridWindowAuc, metrics.windowOnGrid.auc);
    assert.notEqual(study.figures.windowAuc, study.gridWindowAuc, "the run's own windows are another set");
    assert.equal(studyRule(folds, rule, loadUrfd(dataDir)).gridWindowAuc, undefined, "no grid asked, none given");
  }));
