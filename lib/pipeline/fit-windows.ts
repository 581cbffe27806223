// What a fold's models fit on when an option changes it (--augment, --min-falling-rows, --onset-windows, --score-stride; at most
// one, options.ts checks; then --adl-transition-copies on top), with the words the fold's log line adds; null = the fold's
// training windows as they are.
import type { FrameDataset, WindowSet } from "../types";
import type { WindowOptions } from "../data/windows";
import { withoutEarlyFallWindows } from "../data/falling-rows";
import { augmentedFitWindows, foldAugmentSeed } from "./augment-fold";
import { onsetFitWindows } from "./onset-fold";
import type { PipelineOptions } from "./options";
import type { PreparedSplit } from "./prepare";
import { takeWindows } from "../data/split";
import { onStrideGrid } from "../data/stride-grid";
import { withAdlTransitionCopies } from "./transition-copies";

export function foldFitWindows(
  opts: Pick<PipelineOptions, "augment" | "minFallingRows" | "onsetWindows" | "seed" | "stride" | "scoreStride" | "adlTransitionCopies">,
  ds: FrameDataset, split: PreparedSplit, windowOptions: WindowOptions, fold: number,
): { windows: WindowSet; note: string } | null {
  const fit = baseFitWindows(opts, ds, split, windowOptions, fold);
  if (opts.adlTransitionCopies <= 0) return fit;
  const { windows, added } = withAdlTransitionCopies(fit?.windows ?? split.train, ds, opts.adlTransitionCopies);
  const note = `+${added} from ${opts.adlTransitionCopies} more cop${opts.adlTransitionCopies === 1 ? "y" : "ies"} of the daily activities' transition windows`;
  return { windows, note: fit ? `${fit.note}; ${note}` : note };
}

function baseFitWindows(
  opts: Pick<PipelineOptions, "augment" | "minFallingRows" | "onsetWindows" | "seed" | "stride" | "scoreStride">,
  ds: FrameDataset, split: PreparedSplit, windowOptions: WindowOptions, fold: number,
): { windows: WindowSet; note: string } | null {
  const train = split.train;
  if (opts.augment > 0) {
    const windows = augmentedFitWindows(ds, split, windowOptions, { copies: opts.augment, seed: foldAugmentSeed(opts.seed, fold) });
    return { windows, note: `+${windows.count - train.count} from ${opts.augment} augmented cop${opts.augment === 1 ? "y" : "ies"} of each recording` };
  }
  if (opts.minFallingRows > 1) {
    const windows = withoutEarlyFallWindows(train, ds, opts.minFallingRows);
    return { windows, note: `fitting on ${windows.count}: fall windows with fewer than ${opts.minFallingRows} falling frames left out` };
  }
  if (opts.onsetWindows > 0) {
    const windows = onsetFitWindows(ds, split, windowOptions, opts.onsetWindows);
    return { windows, note: `+${windows.count - train.count} fall-onset windows at every frame holding 1..${opts.onsetWindows} falling frames` };
  }
  if (opts.scoreStride !== null && opts.scoreStride !== opts.stride) {
    const windows = takeWindows(train, onStrideGrid(train, ds, opts.stride));
    return { windows, note: `fitting on the ${windows.count} every ${opts.stride} frames; threshold and evaluation on windows every ${opts.scoreStride}` };
  }
  return null;
}
