// npm run validate on a --second-window folder (the default detector): two detectors joined frame by frame, so the
// video is replayed through FallDetector and every full window takes the joined score of its last frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { validateOnMcfd } from "../../lib/export/cross-dataset";
import { readPreprocessing, writePreprocessing } from "../../lib/export/preprocessing";
import { makeWindows, DEFAULT_DIFF_LAGS } from "../../lib/data/windows";
import { readUrfdFile } from "../../lib/data/urfd-csv";
import { fallIntervals, labelMcfdFrames, loadMcfdAnnotations } from "../../lib/mcfd";
import { FallDetector } from "../../lib/detect/detector";
import { replayDataset } from "../../lib/detect/replay-dataset";
import { T, validateFixture } from "./fixtures";

const SECOND_T = 12;

test("validate replays a --second-window folder through FallDetector: every full window's score is the two detectors' joined one, against 0.5; the second detector counts", async () => {
  const f = await validateFixture();
  try {
    const dir = path.join(f.root, "two-windows");
    const save = async (folder: string, seed: number, t: number, pre: object) => {
      const dm = await DistributedModel.create({
        model: { type: "rnn", options: { kind: "gru", timesteps: t, features: 8 * (1 + DEFAULT_DIFF_LAGS.length), units: [4], seed } },
        config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 },
      });
      await dm.save(folder);
      writePreprocessing(folder, { ...f.preprocessing, smooth: 1, combine: "logit-mean", ...pre });
      dm.dispose();
    };
    const window = { ...f.preprocessing.window, stride: 1 };
    const secondDir = `window-${SECOND_T}`;
    const sw = { dir: secondDir, rule: "min-agree" as const, hold: 3, level: 0.45 };
    await save(dir, 5, T, { window, threshold: 0.55, startModels: "start", secondWindow: sw });
    await save(path.join(dir, "start"), 9, T, { window: { ...window, padStarts: 4 }, threshold: 0.6 });
    await save(path.join(dir, secondDir), 13, SECOND_T, { window: { ...window, T: SECOND_T }, threshold: 0.45, startModels: "start" });
    await save(path.join(dir, secondDir, "start"), 17, SECOND_T, { window: { ...window, T: SECOND_T, padStarts: 8 }, threshold: 0.5 });

    const v = await validateOnMcfd({ modelDir: dir, dataFile: f.fallCsv, chute: 5, cam: 3, annotationsDir: f.annotations });
    assert.deepEqual([v.model.members, v.model.startModels, v.model.T, v.model.stride, v.threshold, v.thresholdSource], [2, 1, T, 1, 0.5, "preprocessing.json"]);
    assert.deepEqual(v.model.secondWindow, { T: SECOND_T, members: 2, rule: "min-agree", hold: 3, level: 0.45 });
    const ds = labelMcfdFrames(readUrfdFile(f.fallCsv), { chute: 5, cam: 3, falls: fallIntervals(5, 3, loadMcfdAnnotations(f.annotations)) });
    const ws = makeWindows(ds, { T, stride: 1, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] });
    assert.equal(v.windows.count, ws.count, "every full window of the first detector");
    assert.deepEqual(v.windows.label, Array.from(ws.y));

    // The deployed detector on the same frames: the same scores; the first detector alone gives other ones.
    const replayed = async (folder: string) => {
      const d = await FallDetector.fromDir(folder);
      try {
        const byFrame = new Map(replayDataset(d, ds)[0].windows.map((w) => [w.frame, w.score]));
        return Array.from(ws.lastFrame, (fr) => byFrame.get(fr)!);
      } finally {
        d.dispose();
      }
    };
    assert.deepEqual(v.windows.probability, await replayed(dir));
    const alone = path.join(f.root, "first-alone");
    fs.cpSync(dir, alone, { recursive: true });
    const { secondWindow: _, ...first } = readPreprocessing(alone);
    writePreprocessing(alone, first);
    const firstScores = await replayed(alone);
    assert.ok(v.windows.probability.some((p, i) => Math.abs(p - firstScores[i]) > 1e-6), "the second detector changes some window's score");

    await assert.rejects(validateOnMcfd({ modelDir: dir, dataFile: f.fallCsv, chute: 5, cam: 3, annotationsDir: f.annotations, threshold: 0.4 }), /a threshold override does not apply/);
  } finally {
    f.cleanup();
  }
});
