// Per-feature standardisation, fitted on training windows only and then applied to any side.

import { WindowSet } from "../types";

/** Plain data (JSON-serialisable) so it can be saved with a model and sent to workers. */
export interface Scaler {
  mean: number[];
  std: number[];
  featureNames: string[];
}

/** A std below this counts as a constant feature: it is divided by 1, never by ~0. */
export const STD_FLOOR = 1e-6;

/**
 * Mean and population std per feature over the UNIQUE frames of the windows: overlapping
 * windows would otherwise count middle frames up to T/stride times and sequence ends once.
 * A frame is identified by (sequence, lastFrame − (T−1−t)); that is exact where frame numbers
 * are contiguous and merely merges a frame or two around a missing frame (3 in URFD).
 */
export function fitScaler(ws: WindowSet): Scaler {
  if (ws.count === 0) throw new Error("fitScaler: no windows to fit on");
  const { T, F } = ws;
  const n = new Float64Array(F);
  const mean = new Float64Array(F);
  const m2 = new Float64Array(F);
  const seen = new Set<number>();
  for (let w = 0; w < ws.count; w++) {
    for (let t = 0; t < T; t++) {
      const key = ws.seq[w] * 4294967296 + (ws.lastFrame[w] - (T - 1 - t) + 2147483648);
      if (seen.has(key)) continue;
      seen.add(key);
      const base = (w * T + t) * F;
      for (let f = 0; f < F; f++) {
        // Welford: stable for features in the thousands (H, D).
        const v = ws.x[base + f];
        n[f]++;
        const d = v - mean[f];
        mean[f] += d / n[f];
        m2[f] += d * (v - mean[f]);
      }
    }
  }
  const std = Array.from(m2, (s, f) => {
    const sd = Math.sqrt(s / n[f]);
    return sd < STD_FLOOR ? 1 : sd;
  });
  return { mean: Array.from(mean), std, featureNames: [...ws.featureNames] };
}

/** A standardised copy of `ws`: (x − mean) / std per feature; `ws` is left untouched. */
export function applyScaler(ws: WindowSet, scaler: Scaler): WindowSet {
  if (scaler.mean.length !== ws.F || scaler.std.length !== ws.F) {
    throw new Error(`applyScaler: scaler has ${scaler.mean.length} features, windows have ${ws.F}`);
  }
  if (scaler.featureNames.join(",") !== ws.featureNames.join(",")) {
    throw new Error(`applyScaler: feature names differ (scaler: ${scaler.featureNames.join(",")}; windows: ${ws.featureNames.join(",")})`);
  }
  const x = new Float32Array(ws.x.length);
  const F = ws.F;
  for (let i = 0; i < x.length; i++) {
    const f = i % F;
    x[i] = (ws.x[i] - scaler.mean[f]) / scaler.std[f];
  }
  return {
    ...ws,
    x,
    y: Float32Array.from(ws.y),
    seq: Int32Array.from(ws.seq),
    lastFrame: Int32Array.from(ws.lastFrame),
    sequenceIds: [...ws.sequenceIds],
    sequenceIsFall: Uint8Array.from(ws.sequenceIsFall),
    featureNames: [...ws.featureNames],
  };
}
