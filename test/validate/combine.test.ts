// npm run validate on an ensemble folder scores its members combined as preprocessing.json's combine says: the
// saved threshold was chosen on that score (a --combine logit-mean folder must not be scored by the plain mean).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { validateOnMcfd } from "../../lib/export/cross-dataset";
import { loadSavedDetector, scoreWindows } from "../../lib/export/saved-model";
import { writePreprocessing } from "../../lib/export/preprocessing";
import { applyScaler } from "../../lib/data/scaler";
import { makeWindows } from "../../lib/data/windows";
import { readUrfdFile } from "../../lib/data/urfd-csv";
import { logitMean } from "../../lib/evaluate/member-combine";
import { fallIntervals, labelMcfdFrames, loadMcfdAnnotations } from "../../lib/mcfd";
import { DEFAULT_DIFF_LAGS } from "../../lib/data/windows";
import { STRIDE, T, validateFixture } from "./fixtures";

test("validate combines an ensemble folder's members by its combine (mean log-odds here), not by their mean", async () => {
  const f = await validateFixture();
  try {
    const ens = path.join(f.root, "ensemble");
    for (const [m, seed] of [[1, 5], [2, 9]]) {
      const dm = await DistributedModel.create({
        model: { type: "rnn", options: { kind: "gru", timesteps: T, features: 8 * (1 + DEFAULT_DIFF_LAGS.length), units: [4], seed } },
        config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 },
      });
      await dm.save(path.join(ens, `member-${m}`));
      writePreprocessing(path.join(ens, `member-${m}`), { ...f.preprocessing, members: 2, combine: "logit-mean" });
      dm.dispose();
    }
    const v = await validateOnMcfd({ modelDir: ens, dataFile: f.fallCsv, chute: 5, cam: 3, annotationsDir: f.annotations });
    const saved = await loadSavedDetector(ens);
    const ds = labelMcfdFrames(readUrfdFile(f.fallCsv), { chute: 5, cam: 3, falls: fallIntervals(5, 3, loadMcfdAnnotations(f.annotations)) });
    const ws = applyScaler(makeWindows(ds, { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }), f.preprocessing.scaler);
    const members = saved.models.map((m) => scoreWindows(m, ws));
    const mean = scoreWindows(saved.models, ws);
    for (const m of saved.models) m.dispose();
    assert.deepEqual(v.windows.probability, Array.from(logitMean(members, ws.count)));
    assert.ok(v.windows.probability.some((p, i) => Math.abs(p - mean[i]) > 1e-6), "and that differs from the plain mean");
  } finally {
    f.cleanup();
  }
});

test("validate scores a --start-models folder with both groups on every full window, against the main threshold", async () => {
  const f = await validateFixture();
  try {
    const dir = path.join(f.root, "with-start");
    const save = async (folder: string, seed: number, pre: object) => {
      const dm = await DistributedModel.create({
        model: { type: "rnn", options: { kind: "gru", timesteps: T, features: 8 * (1 + DEFAULT_DIFF_LAGS.length), units: [4], seed } },
        config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 },
      });
      await dm.save(folder);
      writePreprocessing(folder, { ...f.preprocessing, ...pre });
      dm.dispose();
    };
    const main = { members: 2, combine: "logit-mean" as const, smooth: 1, threshold: 0.6, startModels: "start" };
    await save(path.join(dir, "member-1"), 5, main);
    await save(path.join(dir, "member-2"), 9, main);
    await save(path.join(dir, "start", "member-1"), 13, { members: 1, combine: "logit-mean" as const, smooth: 1, threshold: 0.7, window: { ...f.preprocessing.window, padStarts: 4 } });
    const v = await validateOnMcfd({ modelDir: dir, dataFile: f.fallCsv, chute: 5, cam: 3, annotationsDir: f.annotations });
    assert.deepEqual([v.model.members, v.model.startModels, v.threshold, v.thresholdSource], [3, 1, 0.6, "preprocessing.json"]);
    const ds = labelMcfdFrames(readUrfdFile(f.fallCsv), { chute: 5, cam: 3, falls: fallIntervals(5, 3, loadMcfdAnnotations(f.annotations)) });
    const ws = applyScaler(makeWindows(ds, { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }), f.preprocessing.scaler);
    const all = [...(await loadSavedDetector(dir)).models, ...(await loadSavedDetector(path.join(dir, "start"))).models];
    const scores = all.map((m) => scoreWindows(m, ws));
    for (const m of all) m.dispose();
    assert.deepEqual(v.windows.probability, Array.from(logitMean(scores, ws.count)), "all three members, by mean log-odds");
    assert.ok(v.windows.probability.some((p, i) => Math.abs(p - logitMean(scores.slice(0, 2), ws.count)[i]) > 1e-6), "the start member counts");
  } finally {
    f.cleanup();
  }
});
