// The detector decides per recording (any window above the threshold), so its threshold is
// chosen on the training recordings' max-window scores, not on single windows.
import { chooseThreshold, ChooseThresholdOptions } from "./threshold";
import { SequenceWindows, sequenceScores } from "./sequence-level";

export function chooseSequenceThreshold(trainProbs: ArrayLike<number>, trainWindows: SequenceWindows, options: ChooseThresholdOptions = {}): number {
  const s = sequenceScores(trainProbs, trainWindows);
  return chooseThreshold(s.scores, s.labels, options);
}

/** Probabilities strictly inside (0, 1) keep a threshold usable for score alignment (alignToThreshold). */
export function clampThreshold(t: number): number {
  return Math.min(Math.max(t, 1e-6), 1 - 1e-6);
}
