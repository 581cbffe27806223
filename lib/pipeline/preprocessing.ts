// What turns raw frames into the model's inputs, saved next to the model (preprocessing.json) so
// validation, streaming and the browser demo feed it exactly what it was trained on.
import * as path from "node:path";
import { Scaler } from "../data/scaler";
import { readJson, writeJsonAtomic } from "../run/atomic";

export const PREPROCESSING_JSON = "preprocessing.json";

export interface Preprocessing {
  scaler: Scaler;
  window: { T: number; stride: number; withDiffs: boolean };
  /** Decision threshold on window probabilities, chosen on training recordings. */
  threshold: number;
}

export function savePreprocessing(modelDir: string, p: Preprocessing): void {
  writeJsonAtomic(path.join(modelDir, PREPROCESSING_JSON), p);
}

export function loadPreprocessing(modelDir: string): Preprocessing {
  const file = path.join(modelDir, PREPROCESSING_JSON);
  const v = readJson(file) as Partial<Preprocessing> | null;
  const s = v?.scaler;
  const w = v?.window;
  const ok =
    !!s && Array.isArray(s.mean) && Array.isArray(s.std) && Array.isArray(s.featureNames) &&
    s.mean.length === s.std.length && s.mean.length === s.featureNames.length &&
    [...s.mean, ...s.std].every((x) => typeof x === "number" && Number.isFinite(x)) &&
    !!w && Number.isInteger(w.T) && w.T > 0 && Number.isInteger(w.stride) && w.stride > 0 && typeof w.withDiffs === "boolean" &&
    typeof v?.threshold === "number" && v.threshold > 0 && v.threshold < 1;
  if (!ok) throw new Error(`${file}: expected {scaler: {mean, std, featureNames}, window: {T, stride, withDiffs}, threshold in (0, 1)}`);
  return v as Preprocessing;
}
