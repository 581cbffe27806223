// The windows a fold's models fit on with --onset-windows N: its training windows plus, from its
// training fall recordings, the windows at every frame that hold 1..N falling frames and are not on
// the --stride grid already. Scaled with the fold's scaler; the threshold still comes from the real grid.
import type { FrameDataset, WindowSet } from "../types";
import type { WindowOptions } from "../data/windows";
import { onsetWindows } from "../data/falling-rows";
import { applyScaler } from "../data/scaler";
import { concatWindowSets, takeWindows } from "../data/split";
import type { PreparedSplit } from "./prepare";

export function onsetFitWindows(ds: FrameDataset, split: PreparedSplit, windowOptions: WindowOptions, maxRows: number): WindowSet {
  const train = split.train;
  const onset = onsetWindows(ds, windowOptions, maxRows);
  if (onset.sequenceIds.join("\n") !== train.sequenceIds.join("\n")) throw new Error("onsetFitWindows: the onset windows come from another data set");
  const inTrain = new Set(train.seq);
  const onGrid = new Set<string>();
  for (let w = 0; w < train.count; w++) onGrid.add(`${train.seq[w]}:${train.lastFrame[w]}`);
  const keep: number[] = [];
  for (let w = 0; w < onset.count; w++) if (inTrain.has(onset.seq[w]) && !onGrid.has(`${onset.seq[w]}:${onset.lastFrame[w]}`)) keep.push(w);
  return concatWindowSets([train, applyScaler(takeWindows(onset, keep), split.scaler)]);
}
