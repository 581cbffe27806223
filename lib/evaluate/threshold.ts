// Turning probabilities into decisions, and choosing the decision threshold.
//
// chooseThreshold may only ever be given TRAINING (or validation) predictions, never test
// predictions: a threshold tuned on the test set makes every test metric optimistic. It sees
// nothing but the arrays passed in; the optional `split` option makes the provenance explicit at
// the call site and rejects anything other than "train" or "validation".

import { checkBinary, checkSameLength } from "./checks";
import { rankGroups } from "./ranking";

export type ThresholdCriterion = "youden" | "f1" | "max-specificity-at-full-sensitivity";

export interface ChooseThresholdOptions {
  /**
   * - "youden": maximise sensitivity + specificity − 1;
   * - "f1": maximise F1 of the positive (fall) class;
   * - "max-specificity-at-full-sensitivity": the highest threshold that still flags every
   *   positive in the given data (no missed falls), i.e. the best specificity at recall 1.
   * Default "youden".
   */
  criterion?: ThresholdCriterion;
  /** Which split the predictions come from; only "train" and "validation" are accepted. */
  split?: "train" | "validation";
  /**
   * Where between the two scores around the chosen cut the threshold sits: "probability" (default) the
   * midpoint of the two scores; "logit" the midpoint of their log-odds, the widest margin on both sides
   * in the scale a sigmoid output is linear in (near 1, probabilities crowd together).
   */
  midpoint?: ThresholdMidpoint;
  /** Where in that gap, in its scale: 0 the lower score, 1 the higher (toward the positives); default 0.5, the midpoint (a study's knob). */
  midpointAt?: number;
}

export type ThresholdMidpoint = "probability" | "logit";
export const THRESHOLD_MIDPOINTS: readonly ThresholdMidpoint[] = ["probability", "logit"];

const logOdds = (p: number): number => Math.log(p / (1 - p));

/** The threshold between scores lo < hi: their midpoint (or the point `at` of the way up) in probability or in log-odds (both inside (0, 1)). */
function between(lo: number, hi: number, midpoint: ThresholdMidpoint, at = 0.5): number {
  // The midpoint as it has always been computed: the general form below can differ in the last bit, and runs repeat to it.
  if (at === 0.5) {
    if (midpoint === "probability" || lo <= 0 || hi >= 1) return (lo + hi) / 2;
    return 1 / (1 + Math.exp(-(logOdds(lo) + logOdds(hi)) / 2));
  }
  if (midpoint === "probability" || lo <= 0 || hi >= 1) return lo + at * (hi - lo);
  return 1 / (1 + Math.exp(-(logOdds(lo) + at * (logOdds(hi) - logOdds(lo)))));
}

/** 1 where p >= threshold, else 0. */
export function applyThreshold(probs: ArrayLike<number>, threshold = 0.5): Uint8Array {
  const out = new Uint8Array(probs.length);
  for (let i = 0; i < probs.length; i++) out[i] = probs[i] >= threshold ? 1 : 0;
  return out;
}

/**
 * Threshold chosen on TRAINING (or validation) predictions only — never pass test predictions.
 *
 * Candidates are the cuts between adjacent distinct scores; the returned value is the midpoint
 * of the two scores around the chosen cut (in probability or log-odds: options.midpoint), so it is not sitting on any training score. When the
 * best cut flags every example the lowest score itself is returned (predictions use >=). The
 * cut that flags nothing is never chosen. Ties in the criterion go to the widest gap between the
 * two scores (the largest margin), then to the higher threshold.
 *
 * Throws if the inputs are empty, mismatched, non-finite, not 0/1, or lack either class.
 */
export function chooseThreshold(
  trainProbs: ArrayLike<number>,
  trainLabels: ArrayLike<number>,
  options: ChooseThresholdOptions = {},
): number {
  const criterion = options.criterion ?? "youden";
  const midpoint = options.midpoint ?? "probability";
  if (midpoint !== "probability" && midpoint !== "logit") throw new Error(`chooseThreshold: unknown midpoint ${JSON.stringify(midpoint)}`);
  const at = options.midpointAt ?? 0.5;
  if (!(at > 0 && at < 1)) throw new Error(`chooseThreshold: midpointAt must be inside (0, 1), got ${at}`);
  if (options.split !== undefined && options.split !== "train" && options.split !== "validation") {
    throw new Error(
      `chooseThreshold: split must be "train" or "validation", got ${JSON.stringify(options.split)}; ` +
        "a threshold must never be tuned on test predictions",
    );
  }
  if (!["youden", "f1", "max-specificity-at-full-sensitivity"].includes(criterion)) {
    throw new Error(`chooseThreshold: unknown criterion ${JSON.stringify(criterion)}`);
  }
  checkSameLength(trainProbs, trainLabels, "chooseThreshold");
  checkBinary(trainLabels, "chooseThreshold labels");
  const groups = rankGroups(trainProbs, trainLabels, "chooseThreshold");
  let P = 0, N = 0;
  for (const g of groups) {
    P += g.pos;
    N += g.neg;
  }
  if (P === 0 || N === 0) {
    throw new RangeError(
      `chooseThreshold: need both classes in the given predictions (positives ${P}, negatives ${N})`,
    );
  }

  // Criterion values are compared as exact fractions of counts, so mathematically equal cuts
  // tie exactly and the documented tie-break applies.
  let best: { num: number; den: number; gap: number; threshold: number } | null = null;
  let tp = 0, fp = 0;
  for (let k = 0; k < groups.length; k++) {
    // Cut after group k: everything with score >= groups[k].score is flagged.
    tp += groups[k].pos;
    fp += groups[k].neg;
    const next = groups[k + 1];
    const threshold = next === undefined ? groups[k].score : between(next.score, groups[k].score, midpoint, at);
    const gap = next === undefined ? 0 : groups[k].score - next.score;
    let num: number, den: number;
    if (criterion === "youden") [num, den] = [tp * N - fp * P, P * N]; // tpr − fpr
    else if (criterion === "f1") [num, den] = [2 * tp, tp + P + fp]; // 2tp / (2tp + fp + fn)
    else if (tp === P) [num, den] = [N - fp, N]; // specificity, only once recall is 1
    else continue;
    const cmp = best === null ? 1 : num * best.den - best.num * den;
    // Groups are visited from the highest threshold down, so a strict ">" on the gap keeps the
    // higher threshold among equal gaps.
    if (cmp > 0 || (cmp === 0 && best !== null && gap > best.gap)) {
      best = { num, den, gap, threshold };
    }
  }
  if (best === null) throw new Error("chooseThreshold: no candidate threshold"); // unreachable: P > 0
  return best.threshold;
}
