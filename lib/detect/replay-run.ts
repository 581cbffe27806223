// A finished --folds run replayed as it deploys: each fold's saved detector (FallDetector.fromDir) takes that fold's
// test recordings frame by frame, the folds dealt again from the run's seed. Needs no arrow/ folder; what the studies
// of window lengths (window-length-study, window-mix-study) read a run through.
import * as path from "node:path";
import type { FrameDataset } from "../types";
import { makeWindows } from "../data/windows";
import { groupedKFold } from "../data/split";
import { readJson } from "../run/atomic";
import { FallDetector } from "./detector";
import { replayDataset, DatasetReplay } from "./replay-dataset";

/** The run options a replay needs (metrics.json → config). */
export interface ReplayRunConfig {
  data: string | null;
  synthetic?: boolean;
  seed: number;
  window: number;
  stride: number;
  folds: number | null;
  padStarts?: number;
  startModels?: number;
  /** A --second-window run's join of its two detectors (absent otherwise). */
  secondWindowRule?: string;
  secondWindowHold?: number;
  secondWindowLevel?: number;
}

export function replayRunConfig(run: string): ReplayRunConfig {
  return (readJson(path.join(run, "metrics.json")) as { config: ReplayRunConfig }).config;
}

/** Every test recording of the run, replayed through its fold's saved detector. */
export async function replayFolds(run: string, cfg: ReplayRunConfig, ds: FrameDataset): Promise<DatasetReplay[]> {
  if (!cfg.folds) throw new Error(`${run}: not a --folds run`);
  const own = makeWindows(ds, { T: cfg.window, stride: cfg.stride, withDiffs: true, padStarts: cfg.padStarts ?? 0 });
  // A recording shorter than the window has none and leaves the folds: they would not be the run's own.
  if (new Set(own.seq).size !== ds.sequences.length) throw new Error(`${run}: some recordings are shorter than --window ${cfg.window}: its folds are not the data's`);
  const replays: DatasetReplay[] = [];
  for (const [k, fold] of groupedKFold(own, { k: cfg.folds, seed: cfg.seed }).entries()) {
    const detector = await FallDetector.fromDir(path.join(run, "models", `fold-${k + 1}`));
    try {
      replays.push(...replayDataset(detector, ds, { ids: fold.testSeq.map((s) => own.sequenceIds[s]) }));
    } finally {
      detector.dispose();
    }
  }
  return replays;
}
