// A tiny saved pipeline-style model folder and MCFD-like feature files for the validate tests.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DistributedModel } from "../../lib/distributed/distributed-model";
import { readUrfdFile } from "../../lib/data/urfd-csv";
import { fitScaler } from "../../lib/data/scaler";
import { DEFAULT_DIFF_LAGS, makeWindows } from "../../lib/data/windows";
import { writePreprocessing, Preprocessing } from "../../lib/export/preprocessing";
import { fallIntervals, labelMcfdFrames, loadMcfdAnnotations, writeSyntheticMcfdCsv } from "../../lib/mcfd";
import { writeFakeDir } from "../mcfd/fixtures";

export const T = 8;
export const STRIDE = 4;
export const THRESHOLD = 0.45;

export interface ValidateFixture {
  root: string;
  modelDir: string;
  annotations: string;
  /** chute 5 cam 3 (a fall) and chute 24 cam 3 (no fall) of the fake annotation folder. */
  fallCsv: string;
  adlCsv: string;
  preprocessing: Preprocessing;
  cleanup: () => void;
}

/** An untrained, seeded GRU saved by DistributedModel.save, plus preprocessing.json. */
export async function validateFixture(): Promise<ValidateFixture> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "validate-"));
  const annotations = writeFakeDir();
  const table = loadMcfdAnnotations(annotations);
  const fallCsv = writeSyntheticMcfdCsv(path.join(root, "chute05-cam3.csv"), { annotation: { chute: 5, cam: 3, falls: fallIntervals(5, 3, table) }, seed: 2 });
  const adlCsv = writeSyntheticMcfdCsv(path.join(root, "chute24-cam3.csv"), { annotation: { chute: 24, cam: 3, falls: [] }, frames: 120, seed: 3 });
  const ds = labelMcfdFrames(readUrfdFile(fallCsv), { chute: 5, cam: 3, falls: fallIntervals(5, 3, table) });
  const preprocessing: Preprocessing = { scaler: fitScaler(makeWindows(ds, { T, stride: STRIDE })), window: { T, stride: STRIDE, withDiffs: true, diffLags: [...DEFAULT_DIFF_LAGS] }, threshold: THRESHOLD };
  const modelDir = path.join(root, "model");
  const dm = await DistributedModel.create({
    model: { type: "rnn", options: { kind: "gru", timesteps: T, features: 8 * (1 + DEFAULT_DIFF_LAGS.length), units: [4], seed: 5 } },
    config: { mode: "synchronous", frequency: "epoch", numWorkers: 1, batchSize: 16 },
  });
  await dm.save(modelDir);
  writePreprocessing(modelDir, preprocessing);
  return {
    root, modelDir, annotations, fallCsv, adlCsv, preprocessing,
    cleanup: () => {
      fs.rmSync(root, { recursive: true, force: true });
      fs.rmSync(annotations, { recursive: true, force: true });
    },
  };
}
