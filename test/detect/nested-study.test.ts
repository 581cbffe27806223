// The nested rule choice: each outer fold's rule is chosen on inner runs over its training recordings only,
// by the fixed order (goals met, false alarms, missed falls, median delay, list order), and the outer side
// is scored with each fold's own rule exactly as the rule study scores one rule.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generateSynthetic, loadUrfd, writeUrfdFolder } from "../../lib/data";
import { URFD_FILES } from "../../lib/data/load";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { bestRule, NESTED_CANDIDATES, nestedStudy } from "../../lib/detect/nested-study";
import { rescoreRun } from "../../lib/detect/rescore-run";
import { RuleOutcome, studyRule } from "../../lib/detect/rule-study";
import type { GoalFigures } from "../../lib/detect/goals";

const outcome = (rule: string, f: Partial<GoalFigures>): RuleOutcome => ({
  rule,
  figures: { fallsFound: 30, fallRecordings: 30, adlsRight: 38, adlRecordings: 40, recordingAuc: 0.999, windowAuc: 0.971, medianDelay: 19, maxAfterSegmentEnd: 9, falseAlarms: 2, ...f },
  thresholds: [], fullWindowAuc: null, falseAlarmIds: [], missedFallIds: [],
});

test("bestRule: most goals met, then fewer false alarms, fewer missed falls, shorter delay, then the earlier rule", () => {
  assert.equal(bestRule([outcome("a", {}), outcome("b", { adlsRight: 39, falseAlarms: 1 })]), 1, "two more goals");
  assert.equal(bestRule([outcome("a", { falseAlarms: 3, adlsRight: 37 }), outcome("b", { falseAlarms: 2 })]), 1, "same goals, fewer false alarms");
  assert.equal(bestRule([outcome("a", { medianDelay: 20 }), outcome("b", { medianDelay: 18 })]), 1, "shorter delay");
  assert.equal(bestRule([outcome("a", {}), outcome("b", {})]), 0, "a tie keeps the earlier rule");
  assert.equal(bestRule([outcome("a", { medianDelay: 14 }), outcome("b", { medianDelay: 16, windowAuc: 0.5 })]), 0, "a goal outweighs the rest");
});

test("the nested study chooses each outer fold's rule on inner runs that never see the outer test recordings", async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nested-study-"));
  try {
    const dataDir = path.join(tmp, "data");
    writeUrfdFolder(dataDir, generateSynthetic({ seed: 6, falls: 8, adls: 8 }));
    const out = path.join(tmp, "out");
    await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, folds: 2, ensemble: 1, out }, { log: () => {} });
    const work = path.join(tmp, "work");
    const res = await nestedStudy(out, work, () => {});
    const outer = await rescoreRun(out);
    assert.deepEqual(res.chosen.map((c) => c.fold), outer.map((f) => f.fold));
    for (const f of outer) {
      const testIds = new Set([...new Set(f.test.seq)].map((s) => f.test.sequenceIds[s]));
      const inner = loadUrfd(path.join(work, `fold-${f.fold}`, "data"));
      const innerIds = inner.sequences.map((s) => s.id);
      assert.equal(innerIds.length, 16 - testIds.size, `fold ${f.fold}: every training recording and no other`);
      assert.ok(innerIds.every((id) => !testIds.has(id)), `fold ${f.fold}: no outer test recording in the inner runs`);
      const c = res.chosen.find((x) => x.fold === f.fold)!;
      assert.equal(c.inner.length, NESTED_CANDIDATES.length);
      assert.equal(c.rule, NESTED_CANDIDATES[bestRule(c.inner)].name);
      for (const file of [URFD_FILES.falls, URFD_FILES.adls]) assert.ok(fs.existsSync(path.join(work, `fold-${f.fold}`, "data", file)));
    }
    const rules = res.chosen.map((c) => NESTED_CANDIDATES.find((r) => r.name === c.rule)!);
    const ds = loadUrfd(dataDir);
    const again = studyRule(outer, rules, ds);
    assert.deepEqual([res.outer.thresholds, res.outer.figures], [again.thresholds, again.figures]);
    // Each fold's threshold is the one its own rule gets alone.
    outer.forEach((f, k) => assert.equal(res.outer.thresholds[k], studyRule([f], rules[k], ds).thresholds[0]));
    // A rerun reuses the inner runs (no training: the same choice).
    const rerun = await nestedStudy(out, work, () => {});
    assert.deepEqual(rerun.chosen.map((c) => c.rule), res.chosen.map((c) => c.rule));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
