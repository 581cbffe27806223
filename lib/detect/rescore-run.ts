// A finished pipeline run's folds scored again by their saved members, one probability array per
// member, on the fold's own training and test windows: alarm rules can then be studied on the
// out-of-fold scores without training again. The windows are the run's Arrow files, or the data
// re-cut at another stride (what a detector scoring more often than the training windows would see).
import * as fs from "node:fs";
import * as path from "node:path";
import type { FrameDataset, WindowSet } from "../types";
import { readWindowSet } from "../data/arrow-io";
import { concatWindowSets, selectWindows, takeWindows } from "../data/split";
import { padRecordingStarts, windowsWithRealFrames } from "../data/pad-starts";
import { makeWindows } from "../data/windows";
import { applyScaler } from "../data/scaler";
import { windowDiffLags } from "../export/preprocessing";
import { loadSavedDetector, scoreWindows } from "../export/saved-model";

/** A fold's windows as the pipeline wrote them: test.arrow and the train-N.arrow partitions, in order. */
export function readFoldWindows(arrowDir: string): { train: WindowSet; test: WindowSet } {
  const test = readWindowSet(path.join(arrowDir, "test.arrow"));
  const train = concatWindowSets(fs.readdirSync(arrowDir).filter((f) => /^train-\d+\.arrow$/.test(f)).sort().map((f) => readWindowSet(path.join(arrowDir, f))));
  return { train, test };
}

export interface RescoredFold {
  fold: number;
  /** The fold's threshold as the run chose it (preprocessing.json). */
  threshold: number;
  train: WindowSet;
  test: WindowSet;
  trainMembers: Float32Array[];
  testMembers: Float32Array[];
}

/**
 * Every fold of `runDir` (written with --folds). `stride`: re-cut `ds` at this stride instead of reading the Arrow
 * windows; `padMinReal`: re-cut with each recording's first frame repeated in front, keeping every window that
 * holds at least this many real frames (windows before T frames exist).
 */
export async function rescoreRun(runDir: string, opts: { ds?: FrameDataset; stride?: number; padMinReal?: number } = {}): Promise<RescoredFold[]> {
  const models = path.join(runDir, "models");
  if (!fs.existsSync(models)) throw new Error(`${runDir}: no models/ folder (a run written with --folds has one)`);
  const folds = fs.readdirSync(models).filter((d) => /^fold-\d+$/.test(d)).map((d) => Number(d.slice(5))).sort((a, b) => a - b);
  const out: RescoredFold[] = [];
  for (const k of folds) {
    const arrow = path.join(runDir, "arrow", `fold-${k}`);
    let { train, test } = readFoldWindows(arrow);
    const saved = await loadSavedDetector(path.join(models, `fold-${k}`));
    try {
      const pre = saved.preprocessing;
      if (pre.threshold === undefined) throw new Error(`${path.join(models, `fold-${k}`)}: preprocessing.json has no threshold`);
      // Its threshold belongs to both ensembles' mean; these studies score one ensemble.
      // The studies combine members by their mean; a threshold chosen on another combination does not fit it.
      if ((pre.combine ?? "mean") !== "mean") throw new Error(`${path.join(models, `fold-${k}`)}: combines its members by ${pre.combine} (--combine); the studies re-score their mean: a run of --detector plain`);
      if (pre.startModels !== undefined) throw new Error(`${path.join(models, `fold-${k}`)}: a --start-models run (two ensembles); the studies re-score one ensemble against its own threshold: a run of --detector plain`);
      if (opts.stride !== undefined || opts.padMinReal !== undefined) {
        if (!opts.ds) throw new Error("rescoreRun: re-cutting the windows needs the data set (ds)");
        const T = pre.window.T;
        const pad = opts.padMinReal === undefined ? (pre.window.padStarts ?? 0) : T - opts.padMinReal;
        if (pad < 0) throw new RangeError(`rescoreRun: padMinReal must be at most T = ${T}, got ${opts.padMinReal}`);
        let cut = makeWindows(padRecordingStarts(opts.ds, pad), { T, stride: opts.stride ?? pre.window.stride, withDiffs: pre.window.withDiffs, diffLags: windowDiffLags(pre.window) });
        if (opts.padMinReal !== undefined) cut = takeWindows(cut, windowsWithRealFrames(cut, opts.ds, opts.padMinReal));
        const all = applyScaler(cut, pre.scaler);
        const index = (ws: WindowSet) => [...new Set(ws.seq)].map((s) => all.sequenceIds.indexOf(ws.sequenceIds[s]));
        [train, test] = [selectWindows(all, index(train)), selectWindows(all, index(test))];
      }
      out.push({ fold: k, threshold: pre.threshold, train, test, trainMembers: saved.models.map((m) => scoreWindows(m, train)), testMembers: saved.models.map((m) => scoreWindows(m, test)) });
    } finally {
      for (const m of saved.models) m.dispose();
    }
  }
  return out;
}
