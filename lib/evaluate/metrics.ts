// Binary classification metrics on 0/1 labels (1 = fall). Conventions:
//  - a window/sequence is predicted positive when its score is >= the threshold;
//  - every ratio whose denominator is 0 (e.g. precision with no positive predictions) is 0,
//    never NaN, so results always serialise to valid JSON;
//  - the AUC is null (not NaN) when one class is absent, since it is undefined then.

import { checkBinary, checkSameLength, safeDiv } from "./checks";
import { rankGroups } from "./ranking";
import { applyThreshold } from "./threshold";

/** [[tn, fp], [fn, tp]]: rows are the true class (0, 1), columns the predicted class (0, 1). */
export type ConfusionMatrix = [[number, number], [number, number]];

export interface Metrics {
  accuracy: number;
  precision: number;
  /** Sensitivity, true positive rate. */
  recall: number;
  /** True negative rate. */
  specificity: number;
  f1: number;
  /** Area under the ROC curve of the scores; null when only one class is present. */
  auc: number | null;
  confusionMatrix: ConfusionMatrix;
  support: { negative: number; positive: number };
  threshold: number;
}

export interface RocCurve {
  /** False positive rates, non-decreasing, from 0 to 1. */
  fpr: number[];
  /** True positive rates, non-decreasing, from 0 to 1. */
  tpr: number[];
  /**
   * thresholds[i] gives (fpr[i], tpr[i]) when predicting `score >= thresholds[i]`; decreasing.
   * thresholds[0] is max(score) + 1 (the point (0, 0); scikit-learn's pre-1.3 convention, since
   * Infinity does not survive JSON).
   */
  thresholds: number[];
}

/** Counts of a 0/1 prediction against 0/1 labels, as [[tn, fp], [fn, tp]]. */
export function confusionMatrix(pred: ArrayLike<number>, labels: ArrayLike<number>): ConfusionMatrix {
  checkSameLength(pred, labels, "confusionMatrix");
  checkBinary(pred, "confusionMatrix predictions");
  checkBinary(labels, "confusionMatrix labels");
  let tn = 0, fp = 0, fn = 0, tp = 0;
  for (let i = 0; i < pred.length; i++) {
    if (labels[i] === 1) {
      if (pred[i] === 1) tp++;
      else fn++;
    } else if (pred[i] === 1) fp++;
    else tn++;
  }
  return [[tn, fp], [fn, tp]];
}

/** Metrics that depend only on the confusion matrix (0/0 := 0). */
export function metricsFromConfusion(cm: ConfusionMatrix): Pick<Metrics, "accuracy" | "precision" | "recall" | "specificity" | "f1"> {
  const [[tn, fp], [fn, tp]] = cm;
  return {
    accuracy: safeDiv(tp + tn, tn + fp + fn + tp),
    precision: safeDiv(tp, tp + fp),
    recall: safeDiv(tp, tp + fn),
    specificity: safeDiv(tn, tn + fp),
    // 2·P·R/(P+R) written on counts, as scikit-learn does; 0 when there is nothing to find.
    f1: safeDiv(2 * tp, 2 * tp + fp + fn),
  };
}

/** All metrics of scores `probs` thresholded at `threshold` (positive when p >= threshold). */
export function binaryMetrics(probs: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): Metrics {
  checkSameLength(probs, labels, "binaryMetrics");
  const cm = confusionMatrix(applyThreshold(probs, threshold), labels);
  return {
    ...metricsFromConfusion(cm),
    auc: auc(probs, labels),
    confusionMatrix: cm,
    support: { negative: cm[0][0] + cm[0][1], positive: cm[1][0] + cm[1][1] },
    threshold,
  };
}

/**
 * ROC curve with one point per distinct score (tied scores move the curve diagonally, never
 * in an arbitrary staircase), starting at (0, 0) and ending at (1, 1). If a class is absent its
 * rate is 0 throughout (0/0 := 0) and the curve does not reach 1 on that axis.
 */
export function rocCurve(probs: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  const groups = rankGroups(probs, labels, "rocCurve");
  let P = 0, N = 0;
  for (const g of groups) {
    P += g.pos;
    N += g.neg;
  }
  const fpr = [0], tpr = [0];
  const thresholds = [groups.length > 0 ? groups[0].score + 1 : 1];
  let tp = 0, fp = 0;
  for (const g of groups) {
    tp += g.pos;
    fp += g.neg;
    fpr.push(safeDiv(fp, N));
    tpr.push(safeDiv(tp, P));
    thresholds.push(g.score);
  }
  return { fpr, tpr, thresholds };
}

/**
 * Area under the ROC curve by the trapezoidal rule over the tie-grouped curve, which equals the
 * Mann–Whitney probability P(score_pos > score_neg) + ½·P(score_pos = score_neg). Computed on
 * counts, so it is exact up to one final division. Null when either class is absent.
 */
export function auc(probs: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const groups = rankGroups(probs, labels, "auc");
  let P = 0, N = 0;
  for (const g of groups) {
    P += g.pos;
    N += g.neg;
  }
  if (P === 0 || N === 0) return null;
  // Sum over groups of neg_g · (tp before g + tp after g) / 2 = pairs ranked right + ½ ties.
  let tp = 0, area2 = 0;
  for (const g of groups) {
    area2 += g.neg * (2 * tp + g.pos);
    tp += g.pos;
  }
  return area2 / (2 * P * N);
}
