// A saved tiny model and one recording for the export tests.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { makeWindows } from "../../lib/data/windows";
import { applyScaler } from "../../lib/data/scaler";
import { saveModelFiles } from "../../lib/model/io";
import type { FrameDataset, WindowSet } from "../../lib/types";
import { predictWindows, streamData, tinyModel } from "../streaming/fixtures";

export const STRIDE = 4;

export interface ExportFixture {
  modelDir: string;
  model: tf.LayersModel;
  /** The fall recording alone. */
  ds: FrameDataset;
  scaler: ReturnType<typeof streamData>["scaler"];
  /** Its windows (stride 4), scaled, and the saved model's predictions for them. */
  windows: WindowSet;
  expected: Float32Array;
  sequence: { id: string; features: number[][]; frames: number[] };
  cleanup: () => void;
}

export async function exportFixture(): Promise<ExportFixture> {
  const { ds: both, scaler } = streamData();
  const s = both.sequences[0];
  const nf = both.table.featureNames.length;
  const rows = { start: s.start, end: s.start + s.length };
  const ds: FrameDataset = {
    ...both,
    table: {
      ...both.table,
      rows: s.length,
      sequence: both.table.sequence.slice(rows.start, rows.end),
      frame: both.table.frame.slice(rows.start, rows.end),
      label: both.table.label.slice(rows.start, rows.end),
      features: both.table.features.slice(rows.start * nf, rows.end * nf),
    },
    sequences: [{ ...s, start: 0 }],
  };
  const model = await tinyModel("gru");
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), "export-model-"));
  await saveModelFiles(model, modelDir);
  const windows = applyScaler(makeWindows(ds, { T: 8, stride: STRIDE }), scaler);
  const features = Array.from({ length: s.length }, (_, r) => Array.from(ds.table.features.subarray(r * nf, (r + 1) * nf)));
  return {
    modelDir,
    model,
    ds,
    scaler,
    windows,
    expected: predictWindows(model, windows),
    sequence: { id: s.id, features, frames: Array.from(ds.table.frame) },
    cleanup: () => {
      model.dispose();
      fs.rmSync(modelDir, { recursive: true, force: true });
    },
  };
}
