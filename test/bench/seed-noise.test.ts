// The seed-noise study scores an ensemble run's members alone or in groups: a group of every member is the run
// itself (its metrics.json), so the groups it compares are ensembles scored exactly as the pipeline scores one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PLAIN_PIPELINE_OPTIONS } from "../../lib/pipeline/options";
import { runPipeline } from "../../lib/pipeline/run-pipeline";
import { memberRows } from "../../lib/bench/seed-noise";
import { withSyntheticFolder } from "../fixtures/synthetic-folder";

test("seed noise: members alone, or groups of them as ensembles; a group of all members is the run's metrics.json", () =>
  withSyntheticFolder("seed-noise", { seed: 7, falls: 6, adls: 6 }, async ({ dataDir, out }) => {
    const { metrics } = await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, data: dataDir, workers: 1, epochs: 2, window: 16, stride: 4, folds: 2, ensemble: 4, seed: 3, out }, { log: () => {} });
    const whole = await memberRows(out, 4);
    assert.equal(whole.length, 1);
    assert.deepEqual([whole[0].windowAuc, whole[0].recordingAuc, whole[0].modelSeeds], [metrics.window.auc, metrics.sequence.auc, [3, 13, 23, 33]]);
    const halves = await memberRows(out, 2);
    assert.deepEqual(halves.map((r) => [r.member, r.modelSeeds]), [[1, [3, 13]], [2, [23, 33]]]);
    assert.notEqual(halves[0].windowAuc, halves[1].windowAuc, "two ensembles of other seeds score differently");
    const alone = await memberRows(out);
    assert.deepEqual(alone.map((r) => r.modelSeeds), [[3], [13], [23], [33]]);
    await assert.rejects(memberRows(out, 3), /4 members do not make groups of 3/);
  }));
