// Sequence-level (per recording) evaluation: a recording is scored by its most fall-like window,
// so it is predicted a fall exactly when ANY of its windows is (max score >= threshold). Labels
// come from `sequenceIsFall`, not from the window labels. Sequences without windows are left out.

import type { WindowSet } from "../types";
import { checkFinite, checkSameLength } from "./checks";
import { binaryMetrics, type Metrics } from "./metrics";

/** The part of a WindowSet that sequence-level evaluation needs. */
export type SequenceWindows = Pick<WindowSet, "seq" | "sequenceIds" | "sequenceIsFall">;

export interface SequenceScores {
  /** Sequence ids, in sequenceIds order, of sequences that have at least one window. */
  ids: string[];
  /**
   * Max window probability per sequence, float32 like the model's output (for float32 input the
   * max is one of the window values, so `score >= t` iff some window `>= t`; float64 input is
   * rounded to float32 here, and sequenceMetrics and sequenceErrors both use these scores, so
   * they always agree with each other).
   */
  scores: Float32Array;
  /** 1 if the sequence is a fall recording. */
  labels: Uint8Array;
  /** Index of each entry into windows.sequenceIds. */
  seqIndex: number[];
}

export interface SequenceErrors {
  /** Fall recordings in which no window reached the threshold. */
  missedFalls: string[];
  /** Non-fall recordings in which some window reached the threshold. */
  falseAlarms: string[];
}

/** Max window probability per sequence (only sequences that have windows), with their labels. */
export function sequenceScores(probs: ArrayLike<number>, windows: SequenceWindows): SequenceScores {
  const { seq, sequenceIds, sequenceIsFall } = windows;
  checkSameLength(probs, seq, "sequenceScores (probs vs windows.seq)");
  checkFinite(probs, "sequenceScores");
  if (sequenceIsFall.length !== sequenceIds.length) {
    throw new RangeError(
      `sequenceScores: sequenceIsFall has ${sequenceIsFall.length} entries for ${sequenceIds.length} sequences`,
    );
  }
  const max = new Float64Array(sequenceIds.length).fill(-Infinity);
  for (let i = 0; i < seq.length; i++) {
    const s = seq[i];
    if (!Number.isInteger(s) || s < 0 || s >= sequenceIds.length) {
      throw new RangeError(`sequenceScores: window ${i} points to sequence ${s}, out of range`);
    }
    if (probs[i] > max[s]) max[s] = probs[i];
  }
  const seqIndex: number[] = [];
  for (let s = 0; s < sequenceIds.length; s++) if (max[s] !== -Infinity) seqIndex.push(s);
  return {
    ids: seqIndex.map((s) => sequenceIds[s]),
    scores: Float32Array.from(seqIndex, (s) => max[s]),
    labels: Uint8Array.from(seqIndex, (s) => (sequenceIsFall[s] ? 1 : 0)),
    seqIndex,
  };
}

/** binaryMetrics over sequences: each scored by its max window probability. */
export function sequenceMetrics(probs: ArrayLike<number>, windows: SequenceWindows, threshold = 0.5): Metrics {
  const s = sequenceScores(probs, windows);
  return binaryMetrics(s.scores, s.labels, threshold);
}

/** Ids of fall recordings never flagged and of non-fall recordings flagged at `threshold`. */
export function sequenceErrors(probs: ArrayLike<number>, windows: SequenceWindows, threshold = 0.5): SequenceErrors {
  const s = sequenceScores(probs, windows);
  const missedFalls: string[] = [];
  const falseAlarms: string[] = [];
  for (let k = 0; k < s.ids.length; k++) {
    const flagged = s.scores[k] >= threshold; // some window of the sequence reached the threshold
    if (s.labels[k] === 1 && !flagged) missedFalls.push(s.ids[k]);
    if (s.labels[k] === 0 && flagged) falseAlarms.push(s.ids[k]);
  }
  return { missedFalls, falseAlarms };
}
