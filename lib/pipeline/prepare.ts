// The "prepare" step shared by notebook 02 and `npm run pipeline`: windows, grouped split(s),
// and a scaler fitted on each training side only.
import { FrameDataset, WindowSet } from "../types";
import { makeWindowsWithReport, WindowOptions } from "../data/windows";
import { Fold, groupedKFold, groupedSplit, splitWindows } from "../data/split";
import { applyScaler, fitScaler, Scaler } from "../data/scaler";

export interface PreparedSplit {
  fold: Fold;
  /** Standardised with `scaler`, which saw only `train`. */
  train: WindowSet;
  test: WindowSet;
  scaler: Scaler;
}

export interface WindowedData {
  windows: WindowSet;
  /** Sequences shorter than the window, which gave no window. */
  skipped: string[];
}

/** Windows of a data set; throws when fewer than two classes remain (nothing to learn). */
export function windowDataset(ds: FrameDataset, opts: WindowOptions = {}): WindowedData {
  const { windows, skipped } = makeWindowsWithReport(ds, opts);
  let positives = 0;
  for (let i = 0; i < windows.count; i++) positives += windows.y[i];
  if (positives === 0 || positives === windows.count) {
    const only = positives === 0 ? "no fall window" : "only fall windows";
    throw new Error(`${ds.provenance.dir ?? "data set"}: ${only} after windowing (${windows.count} windows): a detector needs both classes`);
  }
  return { windows, skipped };
}

export interface ScaleOption {
  /** Standardise features (default true); false for token ids, which an Embedding looks up as they are. */
  scale?: boolean;
  /** The training windows the scaler is fitted on (default all): the ones the models fit on, with --score-stride. */
  scalerOn?: (train: WindowSet) => WindowSet;
}

/** The scaler that changes nothing, recorded where token inputs must stay unscaled. */
export function identityScaler(featureNames: string[]): Scaler {
  return { mean: featureNames.map(() => 0), std: featureNames.map(() => 1), featureNames: [...featureNames] };
}

function scaleFold(windows: WindowSet, fold: Fold, scale: boolean, scalerOn?: (train: WindowSet) => WindowSet): PreparedSplit {
  const { train, test } = splitWindows(windows, fold);
  if (!scale) return { fold, train, test, scaler: identityScaler(windows.featureNames) };
  const scaler = fitScaler(scalerOn ? scalerOn(train) : train);
  return { fold, train: applyScaler(train, scaler), test: applyScaler(test, scaler), scaler };
}

/** One grouped, stratified hold-out split. */
export function prepareHoldout(windows: WindowSet, opts: { testFraction?: number; seed: number } & ScaleOption): PreparedSplit {
  return scaleFold(windows, groupedSplit(windows, opts), opts.scale ?? true, opts.scalerOn);
}

/** Grouped, stratified K folds; each fold has its own scaler fitted on its training side. */
export function prepareFolds(windows: WindowSet, opts: { k: number; seed: number } & ScaleOption): PreparedSplit[] {
  return groupedKFold(windows, opts).map((fold) => scaleFold(windows, fold, opts.scale ?? true, opts.scalerOn));
}
