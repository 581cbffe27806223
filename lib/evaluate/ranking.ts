// Scores grouped by distinct value, highest first: the common core of the ROC curve, the AUC
// and the threshold chooser. Tied scores form one group, so ties are never split arbitrarily.

import { checkBinary, checkFinite, checkSameLength } from "./checks";

export interface ScoreGroup {
  /** The (distinct) score value. */
  score: number;
  /** Number of positives (label 1) with exactly this score. */
  pos: number;
  /** Number of negatives (label 0) with exactly this score. */
  neg: number;
}

/** Distinct scores in descending order with their positive/negative counts. */
export function rankGroups(scores: ArrayLike<number>, labels: ArrayLike<number>, what: string): ScoreGroup[] {
  checkSameLength(scores, labels, what);
  checkFinite(scores, what);
  checkBinary(labels, what);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i]);
  const groups: ScoreGroup[] = [];
  for (const i of order) {
    const s = scores[i];
    let g = groups[groups.length - 1];
    if (g === undefined || g.score !== s) {
      g = { score: s, pos: 0, neg: 0 };
      groups.push(g);
    }
    if (labels[i] === 1) g.pos++;
    else g.neg++;
  }
  return groups;
}
