// The group-mix study: two --start-models runs of one seed scored as one detector. A run alone must come out as its
// metrics.json says (studyPair throws otherwise); the mix holds both runs' members; runs of different seeds are refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, writeUrfdFolder } from "../../lib/data";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { readGoalRun } from "../../lib/detect/goals-table";
import { joinFolds, minOfScored, readRunFolds, studyPair } from "../../lib/detect/group-mix-study";
import { parsePlaces, placeThresholds } from "../../lib/detect/threshold-place-study";
import { typeWeightedLogitMean } from "../../lib/detect/type-weight-study";
import { verifyRun } from "../../lib/detect/verify-run";
import { readPreprocessing } from "../../lib/export/preprocessing";
import { logitMean } from "../../lib/evaluate/member-combine";

test("logitMean is the probability of the members' mean log-odds: a confident member outweighs a timid one", () => {
  const m = logitMean([Float32Array.of(0.9, 0.5, 0.2), Float32Array.of(0.4, 0.5, 0.2)], 3);
  const z = (Math.log(9) + Math.log(0.4 / 0.6)) / 2;
  assert.ok(Math.abs(m[0] - 1 / (1 + Math.exp(-z))) < 1e-6);
  assert.ok(m[0] > 0.65, "above the probabilities' mean");
  assert.ok(Math.abs(m[1] - 0.5) < 1e-7 && Math.abs(m[2] - 0.2) < 1e-6, "members that agree give their score");
  assert.throws(() => logitMean([], 1), /no members/);
});

test("an LSTM and a GRU deployment run of one seed: each alone is its metrics.json, the mix holds both groups' members", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "group-mix-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 4, falls: 6, adls: 6 }));
    const base = { ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, scoreStride: 1, smooth: 1, thresholdMidpoint: "logit" as const, folds: 2, ensemble: 1, startModels: 8, quiet: true };
    const run = async (name: string, extra: Partial<typeof base>) => {
      const out = path.join(tmp, name);
      await runPipeline({ ...base, ...extra, out }, { log: () => {} });
      return out;
    };
    const lstm = await run("lstm", {});
    const gru = await run("gru", { model: "gru" });
    const other = await run("seed-2", { seed: 2 });
    // The threshold place study on one run: at 0.5 it is the run (placeThresholds throws otherwise); higher places in
    // the gap alarm on no more ADLs and find no more falls.
    const places = await placeThresholds(lstm, [0.5, 0.9]);
    assert.deepEqual(places.placed[0].run.figures, places.own.figures, "0.5 is the pipeline's place");
    const [own, high] = [places.own.figures, places.placed[1].run.figures];
    assert.ok(high.falseAlarms <= own.falseAlarms && high.fallsFound <= own.fallsFound, JSON.stringify({ own, high }));
    assert.deepEqual(parsePlaces("0.6, 0.7"), [0.6, 0.7]);
    for (const bad of ["", "1", "0.5,x", "0"]) assert.throws(() => parsePlaces(bad), /--at expects values inside \(0, 1\)/);

    const { alone, mix } = await studyPair(lstm, gru);
    assert.deepEqual(alone.figures, readGoalRun(lstm).figures, "the LSTM run scored again alone is its metrics.json");
    assert.equal(mix.figures.fallRecordings + mix.figures.adlRecordings, alone.figures.fallRecordings + alone.figures.adlRecordings, "the same recordings");

    await studyPair(gru, lstm); // throws unless the GRU run scored again alone is its metrics.json too
    const [a, b] = [await readRunFolds(lstm), await readRunFolds(gru)];
    const joined = joinFolds(a, b, "lstm + gru");
    for (const [i, f] of joined.entries()) {
      assert.equal(f.main.testMembers.length, 2, "one main member of each run");
      assert.equal(f.start.trainMembers.length, 2, "one start member of each run");
      assert.notDeepEqual(f.main.testMembers[0], f.main.testMembers[1], "two different models");
      assert.deepEqual(f.main.testMembers[1], b[i].main.testMembers[0], "the partner's member second");
    }
    for (const [groups, mainMembers, startMembers] of [["main", 2, 1], ["start", 1, 2]] as const) {
      for (const [i, f] of joinFolds(a, b, "lstm + gru", groups).entries()) {
        assert.deepEqual([f.main.testMembers.length, f.main.trainMembers.length, f.start.testMembers.length, f.start.trainMembers.length], [mainMembers, mainMembers, startMembers, startMembers], groups);
        assert.deepEqual(f.start.testMembers[0], a[i].start.testMembers[0], "A's start member first");
        if (groups === "main") assert.equal(f.savedStartThreshold, a[i].savedStartThreshold, "A's start group alone keeps its saved threshold");
      }
    }
    const mainOnly = await studyPair(lstm, gru, undefined, "main");
    assert.match(mainOnly.mix.name, /\+gru \(main\)$/);
    assert.deepEqual(mainOnly.alone.figures, alone.figures);
    await assert.rejects(studyPair(lstm, other), /not one seed/);

    // Built in: one run training both types (--second-model gru --combine logit-mean) is the study's logit-mean mix.
    const both = await run("both", { secondModel: "gru", combine: "logit-mean" });
    const study = await studyPair(lstm, gru, "logit-mean");
    assert.deepEqual(readGoalRun(both).figures, study.mix.figures, "the built option gives the study's figures");
    assert.notDeepEqual(study.mix.figures, (await studyPair(lstm, gru, "mean")).mix.figures, "the combination matters on these scores");
    assert.deepEqual((await studyPair(lstm, gru)).mix.figures, (await studyPair(lstm, gru, "mean")).mix.figures, "without --combine, as both runs combine theirs");
    await assert.rejects(studyPair(both, gru), /combines its members by logit-mean, .* by mean: give --combine/);
    const check = await verifyRun(both);
    assert.deepEqual(check.decisionMismatches, [], "the detector replays the run's decisions");
    assert.ok(check.detectionEqual, "and its detection block");
    const pre = readPreprocessing(path.join(both, "models", "fold-1", "member-1"));
    assert.deepEqual([pre.combine, pre.memberKinds], ["logit-mean", ["lstm", "gru"]]);
    assert.equal(readPreprocessing(path.join(both, "models", "fold-1", "start", "member-2")).combine, "logit-mean", "the start models were thresholded on the same combination");
    assert.throws(() => joinFolds(a, a.slice(1), "short"), /2 and 1 folds/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test("typeWeightedLogitMean: equal weights are the mean log-odds; a heavier LSTM weight leans toward the LSTM members; k groups repeat the kinds", () => {
  const kinds = ["lstm", "gru"] as const;
  const members = [Float32Array.from([0.96, 0.2]), Float32Array.from([0.4, 0.6])];
  const equal = typeWeightedLogitMean(kinds, 0.5)(members, 2);
  const plain = logitMean(members, 2);
  equal.forEach((p, i) => assert.ok(Math.abs(p - plain[i]) < 1e-6, `${p} against ${plain[i]}`));
  const lstmHeavy = typeWeightedLogitMean(kinds, 0.65)(members, 2);
  assert.ok(lstmHeavy[0] > equal[0] && lstmHeavy[1] < equal[1], "toward 0.96 on the first window, toward 0.2 on the second");
  const logOdds = (p: number) => Math.log(p / (1 - p));
  assert.ok(Math.abs(logOdds(lstmHeavy[0]) - (0.65 * logOdds(0.96) + 0.35 * logOdds(0.4))) < 1e-5);
  const twoGroups = typeWeightedLogitMean(kinds, 0.65)([...members, ...members], 2);
  twoGroups.forEach((p, i) => assert.ok(Math.abs(p - lstmHeavy[i]) < 1e-6, "the same members twice: the same score"));
  assert.throws(() => typeWeightedLogitMean(kinds, 0.65)([members[0]], 2), /1 members, not groups of 2/);
});

test("minOfScored: window by window the lower of two scorings of the same folds (an alarm needs both); other window counts refused", () => {
  const w = { count: 3 } as unknown as Parameters<typeof minOfScored>[0][number]["testWindows"];
  const fold = (test: number[], full: number) => ({ testWindows: w, testScores: Float32Array.from(test), fullWindows: w, fullScores: Float32Array.from(test).subarray(test.length - full) });
  const [m] = minOfScored([fold([0.2, 0.7, 0.9], 2)], [fold([0.4, 0.6, 0.3], 2)]);
  assert.deepEqual([...m.testScores], [0.2, 0.6, 0.3].map(Math.fround));
  assert.deepEqual([...m.fullScores], [0.6, 0.3].map(Math.fround), "the full windows' part follows the new scores");
  assert.throws(() => minOfScored([fold([0.2, 0.7], 1)], [fold([0.4], 1)]), /fold 1 holds 2 windows against 1/);
  assert.throws(() => minOfScored([], [fold([0.4], 1)]), /0 folds against 1/);
});
