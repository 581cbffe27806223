// Tiny models and a two-recording synthetic data set for the streaming tests (fast on 2 cores).
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/backend";
import { generateSynthetic } from "../../lib/data/synthetic";
import { DEFAULT_DIFF_LAGS, makeWindows } from "../../lib/data/windows";
import { applyScaler, fitScaler, Scaler } from "../../lib/data/scaler";
import { buildRnnModel, RnnKind } from "../../lib/model/rnn";
import type { FrameDataset, WindowSet } from "../../lib/types";

export const T = 8;

export interface StreamFixture {
  ds: FrameDataset;
  scaler: Scaler;
  /** Stride-1 windows, standardised: one per frame from the T-th of each sequence. */
  windows: WindowSet;
}

/** One fall and one ADL recording, a scaler fitted on their windows, stride-1 scaled windows. */
export function streamData(seed = 5): StreamFixture {
  const ds = generateSynthetic({ seed, falls: 1, adls: 1 });
  const raw = makeWindows(ds, { T, stride: 1 });
  const scaler = fitScaler(raw);
  return { ds, scaler, windows: applyScaler(raw, scaler) };
}

/** Inputs per frame of the default windows: 8 features, then 8 differences per lag (24). */
export const F = 8 * (1 + DEFAULT_DIFF_LAGS.length);

/** An untrained, seeded window model over [T, F] (weights are random but fixed). */
export async function tinyModel(kind: RnnKind, units: number[] = [6]): Promise<tf.LayersModel> {
  await initBackend();
  return buildRnnModel({ kind, timesteps: T, features: F, units, dropout: 0.2, seed: 11 });
}

/** Row r's 8 raw features. */
export function frameAt(ds: FrameDataset, r: number): Float32Array {
  const nf = ds.table.featureNames.length;
  return ds.table.features.subarray(r * nf, (r + 1) * nf);
}

/** Batch predictions of the window model. */
export function predictWindows(model: tf.LayersModel, ws: WindowSet): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor3d(ws.x, [ws.count, ws.T, ws.F])) as tf.Tensor).dataSync() as Float32Array);
}
