// Candidate alarm rules applied after training to an ensemble's window probabilities: how members are
// combined, how many windows are averaged, and an optional veto on a raw frame feature (the person
// must be down). Each is fixed before it sees any test score; the threshold still comes from training.
import type { FrameDataset, WindowSet } from "../types";
import { smoothScores } from "../evaluate/smoothing";
import type { ThresholdMidpoint } from "../evaluate/threshold";
import { fallingSegment } from "../data/segments";

export type Aggregate = "mean" | "logit-mean" | "median" | "min";

export interface AlarmRule {
  name: string;
  aggregate: Aggregate;
  /** Windows averaged per recording (as the pipeline's --smooth). */
  smooth: number;
  /** No alarm from a window whose last frame's raw `feature` is above `max` (the threshold is today's). */
  veto?: { feature: string; max: number };
  /** Where the training threshold sits between the two training scores around its cut (default: their probability midpoint). */
  midpoint?: ThresholdMidpoint;
  /**
   * A second way to alarm: `windows` consecutive scores of a recording all at or above a lower threshold, the
   * probabilities' midpoint of the same training cut (a sustained moderate score confirms what one high score
   * would). Used with midpoint "logit", whose threshold is the high one.
   */
  confirm?: { windows: number };
  /** Each member Platt-scaled on its fold's training windows before they are combined (issue 15's "calibrating the ensemble"). */
  calibrate?: "platt";
}

const logit = (p: number): number => Math.log(Math.max(p, 1e-7) / Math.max(1 - p, 1e-7));

/** The members' window probabilities combined into one per window. */
export function combineMembers(members: readonly Float32Array[], aggregate: Aggregate): Float32Array {
  const n = members[0].length;
  const out = new Float32Array(n);
  if (aggregate === "mean") {
    // Float32 sums then a float32 division, as the pipeline's meanProbabilities, so today's rule is its scores exactly.
    for (const m of members) for (let i = 0; i < n; i++) out[i] += m[i];
    for (let i = 0; i < n; i++) out[i] /= members.length;
    return out;
  }
  const v = new Array<number>(members.length);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < members.length; m++) v[m] = members[m][i];
    if (aggregate === "logit-mean") out[i] = 1 / (1 + Math.exp(-v.reduce((a, p) => a + logit(p), 0) / v.length));
    else if (aggregate === "min") out[i] = Math.min(...v);
    else if (aggregate === "median") {
      v.sort((a, b) => a - b);
      const h = v.length >> 1;
      out[i] = v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
    } else throw new Error(`unknown aggregate "${aggregate as string}"`);
  }
  return out;
}

/** The rule's window scores (what the threshold and the window AUC see). */
export function ruleScores(rule: AlarmRule, members: readonly Float32Array[], windows: Pick<WindowSet, "count" | "seq" | "lastFrame">): Float32Array {
  return smoothScores(combineMembers(members, rule.aggregate), windows, rule.smooth);
}

/** Scores with the veto applied (0 where the person is not down): what alarms and recording decisions see. */
export function vetoed(rule: AlarmRule, scores: Float32Array, windows: Pick<WindowSet, "count" | "seq" | "lastFrame" | "sequenceIds">, ds: FrameDataset): Float32Array {
  if (!rule.veto) return scores;
  const j = ds.table.featureNames.indexOf(rule.veto.feature);
  if (j < 0) throw new Error(`veto: no feature "${rule.veto.feature}" (have ${ds.table.featureNames.join(", ")})`);
  const nf = ds.table.featureNames.length;
  const at = new Map<string, Map<number, number>>();
  for (const s of ds.sequences) {
    const m = new Map<number, number>();
    for (let r = s.start; r < s.start + s.length; r++) m.set(ds.table.frame[r], ds.table.features[r * nf + j]);
    at.set(s.id, m);
  }
  const max = rule.veto.max;
  return Float32Array.from(scores, (v, i) => {
    const f = at.get(windows.sequenceIds[windows.seq[i]])?.get(windows.lastFrame[i]);
    if (f === undefined) throw new Error(`veto: no frame ${windows.lastFrame[i]} in ${windows.sequenceIds[windows.seq[i]]}`);
    return f <= max ? v : 0;
  });
}

/**
 * Alarm scores under a rule's confirmation: a window alarms (its score raised to `high`) when its score reaches `high`,
 * or when it and the `k` − 1 windows of its recording before it all reach `low`; any other window keeps a score under
 * `high`. Windows are taken in frame order within each recording; nothing after a window is read.
 */
export function confirmed(scores: Float32Array, windows: Pick<WindowSet, "count" | "seq" | "lastFrame">, high: number, low: number, k: number): Float32Array {
  if (!(low <= high) || !Number.isInteger(k) || k < 1) throw new RangeError(`confirmed: need low <= high and k >= 1 (low ${low}, high ${high}, k ${k})`);
  const out = Float32Array.from(scores);
  const order = Array.from({ length: windows.count }, (_, i) => i).sort((a, b) => windows.seq[a] - windows.seq[b] || windows.lastFrame[a] - windows.lastFrame[b]);
  let run = 0;
  order.forEach((i, n) => {
    if (n > 0 && windows.seq[order[n - 1]] !== windows.seq[i]) run = 0;
    run = scores[i] >= low ? run + 1 : 0;
    if (scores[i] < high && run >= k) out[i] = high;
  });
  return out;
}

/**
 * The earliest a veto lets a fall alarm, whatever the model: per fall recording, the frames from the first annotated
 * falling frame to the first frame at or after it whose raw `feature` is at most `max` (null if never), with their
 * median over the falls that get there. Reads features and annotations only.
 */
export function vetoDelayFloor(ds: FrameDataset, feature: string, max: number): { perRecording: Record<string, number | null>; median: number | null } {
  const j = ds.table.featureNames.indexOf(feature);
  if (j < 0) throw new Error(`vetoDelayFloor: no feature "${feature}"`);
  const nf = ds.table.featureNames.length;
  const perRecording: Record<string, number | null> = {};
  const reached: number[] = [];
  for (const s of ds.sequences) {
    const seg = fallingSegment(ds, s.id);
    if (!s.isFall || !seg) continue;
    let got: number | null = null;
    for (let r = s.start; r < s.start + s.length && got === null; r++) {
      if (ds.table.frame[r] >= seg[0] && ds.table.features[r * nf + j] <= max) got = ds.table.frame[r] - seg[0];
    }
    perRecording[s.id] = got;
    if (got !== null) reached.push(got);
  }
  reached.sort((a, b) => a - b);
  const n = reached.length;
  return { perRecording, median: n ? (reached[(n - 1) >> 1] + reached[n >> 1]) / 2 : null };
}

/**
 * The rules studied for issue 15 (docs/results.md), each fixed a priori: today's (mean, 3 windows);
 * other ways to combine or calibrate the ensemble; no smoothing; and the "stays down" veto at half
 * the standing height (HHmaxRatio 0.5, the person's height over their standing height).
 */
export const STUDIED_RULES: readonly AlarmRule[] = [
  { name: "today (mean, smooth 3)", aggregate: "mean", smooth: 3 },
  { name: "mean, smooth 1", aggregate: "mean", smooth: 1 },
  { name: "logit-mean, smooth 3", aggregate: "logit-mean", smooth: 3 },
  { name: "median, smooth 3", aggregate: "median", smooth: 3 },
  { name: "min, smooth 3", aggregate: "min", smooth: 3 },
  { name: "mean, smooth 3, veto unless HHmaxRatio <= 0.5", aggregate: "mean", smooth: 3, veto: { feature: "HHmaxRatio", max: 0.5 } },
];

/**
 * Fixed on 2026-12-04 (session 18) before they were scored: each member Platt-scaled on its fold's training windows
 * (sigmoid(a · logit(p) + b), fitted by maximum likelihood) before the mean, at the default's rule and at the
 * every-frame point's (README, "The operating point to deploy"), each beside its uncalibrated twin.
 */
export const CALIBRATED_RULES: readonly AlarmRule[] = [
  { name: "today (mean, smooth 3)", aggregate: "mean", smooth: 3 },
  { name: "Platt-calibrated mean, smooth 3", aggregate: "mean", smooth: 3, calibrate: "platt" },
  { name: "mean, smooth 1, logit midpoint", aggregate: "mean", smooth: 1, midpoint: "logit" },
  { name: "Platt-calibrated mean, smooth 1, logit midpoint", aggregate: "mean", smooth: 1, midpoint: "logit", calibrate: "platt" },
];

/**
 * Issue 15's next round (docs/results.md, "Training on padded windows with the stays-down veto"), fixed on
 * 2026-12-03 before any score of the runs they were compared on was seen; thresholds as above (Youden's J on
 * the training recordings' highest scores, the veto not applied there), the test side pooled out of fold.
 * - Lead 1, the combination: with `--pad-starts 24` training, no smoothing (or 2 windows) and the veto at
 *   HHmaxRatio 0.5. The veto is to remove the crouch-like false alarms no smoothing adds; the padded early
 *   windows are to buy back the frames the veto costs.
 * - Lead 2, a look-ahead-free confirmation: the alarm fires at the first window whose score reaches the
 *   threshold and whose last frame has HHmaxRatio <= x (what `vetoed` does: nothing after that frame is
 *   read), with x = 0.5 (above) and x = 0.6 (the person at 60% of their standing height: reached earlier in
 *   a fall, so less delay, and still below a crouch's height, so most of the veto's effect), at 1, 2 and 3
 *   windows of smoothing.
 * - "mean, smooth 2" without a veto, the reference for the smooth-2 rows.
 * - Added after the seed-1 default run's rows above were seen (so seed 1 is not a clean test for them; seeds
 *   2-4 are): the veto at x = 0.7. A veto can alarm no earlier than the person gets down to x, and over URFD's
 *   30 falls HHmaxRatio first reaches 0.5 a median of 19.5 frames after the falling segment starts (0.6: 15;
 *   0.7: 10; 0.8: 0), from the features and annotations alone, no model (docs/results.md): at 0.5 or 0.6 the
 *   median-delay goal (15) cannot be met whatever the model does; 0.7 is the lowest cut that leaves room.
 */
export const LEAD_RULES: readonly AlarmRule[] = [
  { name: "mean, smooth 2", aggregate: "mean", smooth: 2 },
  { name: "mean, smooth 1, veto unless HHmaxRatio <= 0.5", aggregate: "mean", smooth: 1, veto: { feature: "HHmaxRatio", max: 0.5 } },
  { name: "mean, smooth 2, veto unless HHmaxRatio <= 0.5", aggregate: "mean", smooth: 2, veto: { feature: "HHmaxRatio", max: 0.5 } },
  { name: "mean, smooth 1, veto unless HHmaxRatio <= 0.6", aggregate: "mean", smooth: 1, veto: { feature: "HHmaxRatio", max: 0.6 } },
  { name: "mean, smooth 2, veto unless HHmaxRatio <= 0.6", aggregate: "mean", smooth: 2, veto: { feature: "HHmaxRatio", max: 0.6 } },
  { name: "mean, smooth 3, veto unless HHmaxRatio <= 0.6", aggregate: "mean", smooth: 3, veto: { feature: "HHmaxRatio", max: 0.6 } },
  { name: "mean, smooth 1, veto unless HHmaxRatio <= 0.7", aggregate: "mean", smooth: 1, veto: { feature: "HHmaxRatio", max: 0.7 } },
  { name: "mean, smooth 2, veto unless HHmaxRatio <= 0.7", aggregate: "mean", smooth: 2, veto: { feature: "HHmaxRatio", max: 0.7 } },
  { name: "mean, smooth 3, veto unless HHmaxRatio <= 0.7", aggregate: "mean", smooth: 3, veto: { feature: "HHmaxRatio", max: 0.7 } },
];

/**
 * Fixed on 2026-12-03 before seeds 5-7 were run (seeds 1-4 had been seen): the two rules the fourth round found
 * never worse than today's on seeds 1-4 (the veto at 0.5 with smooth 3, the logit mean), both together, and
 * today's as the reference. They become a default only if they win on every fresh seed.
 */
export const FRESH_SEED_RULES: readonly AlarmRule[] = [
  { name: "today (mean, smooth 3)", aggregate: "mean", smooth: 3 },
  { name: "logit-mean, smooth 3", aggregate: "logit-mean", smooth: 3 },
  { name: "mean, smooth 3, veto unless HHmaxRatio <= 0.5", aggregate: "mean", smooth: 3, veto: { feature: "HHmaxRatio", max: 0.5 } },
  { name: "logit-mean, smooth 3, veto unless HHmaxRatio <= 0.5", aggregate: "logit-mean", smooth: 3, veto: { feature: "HHmaxRatio", max: 0.5 } },
];

/**
 * Fixed on 2026-12-03 (session 13) before any run was scored with them: the threshold at the midpoint of the
 * log-odds of the two training recordings' scores around Youden's cut instead of their probabilities' midpoint.
 * The training recordings are separated with a wide gap (ADLs ≤ 0.5, falls ≥ 0.99), and in probability the
 * midpoint of such a gap sits near 0.7, where the seen runs' out-of-fold false alarms score (0.77–0.90); in
 * log-odds it sits near 0.9, as far from both sides in the scale the sigmoid output is linear in. Also with less
 * smoothing: the higher threshold may pay for the earlier alarms. Seen before fixing: seeds 1 and 3's per-fold
 * margins (a script printing the training gap and the top test scores), nothing else.
 */
export const MIDPOINT_RULES: readonly AlarmRule[] = [
  { name: "today (mean, smooth 3)", aggregate: "mean", smooth: 3 },
  { name: "mean, smooth 3, logit midpoint", aggregate: "mean", smooth: 3, midpoint: "logit" },
  { name: "mean, smooth 2, logit midpoint", aggregate: "mean", smooth: 2, midpoint: "logit" },
  { name: "mean, smooth 1, logit midpoint", aggregate: "mean", smooth: 1, midpoint: "logit" },
  { name: "logit-mean, smooth 3, logit midpoint", aggregate: "logit-mean", smooth: 3, midpoint: "logit" },
];

/**
 * Fixed on 2026-12-03 (session 13) after the logit midpoint's rows on seeds 1-10 were seen, before fresh seeds 11-15
 * were run: the logit midpoint removed the false alarms of ADLs whose scores pass the probability midpoint for one
 * or two windows only, but delayed three slow falls (fall-03, fall-06, fall-29) whose scores stay over it. These rules
 * alarm at the logit midpoint, or after 3 consecutive windows over the probability midpoint (confirmed()).
 */
export const CONFIRM_RULES: readonly AlarmRule[] = [
  { name: "today (mean, smooth 3)", aggregate: "mean", smooth: 3 },
  { name: "mean, smooth 2, logit midpoint", aggregate: "mean", smooth: 2, midpoint: "logit" },
  { name: "mean, smooth 2, logit midpoint or 3 windows over the midpoint", aggregate: "mean", smooth: 2, midpoint: "logit", confirm: { windows: 3 } },
  { name: "mean, smooth 3, logit midpoint or 3 windows over the midpoint", aggregate: "mean", smooth: 3, midpoint: "logit", confirm: { windows: 3 } },
];
