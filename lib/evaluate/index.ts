// Evaluation: window-level and sequence-level metrics, ROC/AUC, threshold choice, text report.

import type { WindowSet } from "../types";
import { binaryMetrics, type Metrics } from "./metrics";
import { sequenceErrors, sequenceMetrics } from "./sequence-level";

export * from "./threshold";
export * from "./metrics";
export * from "./report";
export * from "./sequence-level";

export interface Evaluation {
  /** Metrics over windows (labels windows.y). */
  window: Metrics;
  /** Metrics over recordings, each scored by its max window probability. */
  sequence: Metrics;
  /** Fall recordings in which no window reached the threshold. */
  missedFalls: string[];
  /** Non-fall recordings in which some window reached the threshold. */
  falseAlarms: string[];
}

/**
 * Window- and sequence-level evaluation at one threshold. The threshold must have been chosen
 * on training/validation predictions (chooseThreshold), never on the predictions evaluated here
 * when these are test predictions.
 */
export function evaluateAll(
  probs: ArrayLike<number>,
  windows: Pick<WindowSet, "y" | "seq" | "sequenceIds" | "sequenceIsFall">,
  threshold = 0.5,
): Evaluation {
  return {
    window: binaryMetrics(probs, windows.y, threshold),
    sequence: sequenceMetrics(probs, windows, threshold),
    ...sequenceErrors(probs, windows, threshold),
  };
}
export * from "./align";
export * from "./sequence-threshold";
export * from "./smoothing";
