// How an ensemble's member probabilities become one score a window, in one place for the pipeline, the studies and
// the frame-by-frame detector (which must give the pipeline's scores bit for bit). "mean": float32 sums in member
// order, one float32 division. "logit-mean": the probability of the members' mean log-odds, so a confident member
// outweighs a timid one (issue 15's seventeenth round: LSTM and GRU members together, docs/results.md).

export type MemberCombineName = "mean" | "logit-mean";
export const MEMBER_COMBINE_NAMES: readonly MemberCombineName[] = ["mean", "logit-mean"];

/** Members' probabilities (one array each, `n` windows) to one score a window. */
export type MemberCombine = (members: readonly ArrayLike<number>[], n: number) => Float32Array;

/** Float32 sums in member order then one float32 division: the pipeline's ensemble mean. */
export function memberMean(members: readonly ArrayLike<number>[], n: number): Float32Array {
  if (members.length === 0) throw new RangeError("memberMean: no members");
  const out = new Float32Array(n);
  for (const m of members) {
    if (m.length !== n) throw new RangeError(`memberMean: a member holds ${m.length} scores, expected ${n}`);
    for (let i = 0; i < n; i++) out[i] += m[i];
  }
  for (let i = 0; i < n; i++) out[i] /= members.length;
  return out;
}

/**
 * One window's logit mean of the members' probabilities (in member order), as a float32 probability. Each probability
 * is kept 1e-7 inside (0, 1) so a saturated member stays finite. Self-contained: the browser page embeds it with
 * toString.
 */
export function logitMeanOf(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("logitMean: no members");
  let z = 0;
  for (const p of values) {
    const q = Math.min(Math.max(p, 1e-7), 1 - 1e-7);
    z += Math.log(q / (1 - q));
  }
  return Math.fround(1 / (1 + Math.exp(-z / values.length)));
}

// Here beside logitMeanOf so that its source, embedded in the browser page, calls it by name.
/**
 * Two aligned scores (thresholds at 0.5) as one, with `min`'s alarms (lib/detect/second-window.ts; the twenty-fifth round): where both aligned scores sit on the same
 * side of 0.5, their mean log-odds (on that side too; clamped to it against rounding); where they disagree, the lower.
 * A score reaches 0.5 exactly where both do.
 */
export function joinAgreeing(first: number, second: number): number {
  const lo = Math.min(first, second);
  const hi = Math.max(first, second);
  if (lo >= 0.5) return Math.max(logitMeanOf([first, second]), lo);
  if (hi < 0.5) return Math.min(logitMeanOf([first, second]), hi);
  return lo;
}

// Beside joinAgreeing for the same reason: the page embeds its source, which calls both by name.
/**
 * min-agree's alarms ranked by the mean log-odds wherever the two aligned scores sit (issue 15's twenty-ninth round):
 * where they agree, joinAgreeing's score; where they disagree, their mean log-odds held below 0.5 (joinAgreeing: the
 * lower score, the dissenting detector's). Every frame on joinAgreeing's side of 0.5.
 */
export function joinAgreeingMean(first: number, second: number): number {
  if ((first >= 0.5) === (second >= 0.5)) return joinAgreeing(first, second);
  // The largest float32 below 0.5: short of the threshold.
  return Math.min(logitMeanOf([first, second]), Math.fround(0.5 - 2 ** -25));
}

/** One window's members combined as memberMean does (float32 sums in member order, one float32 division). Self-contained: the browser page embeds it. */
export function memberMeanOf(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum = Math.fround(sum + v);
  return Math.fround(sum / values.length);
}

/** One window's members combined by `name` (the frame-by-frame detector's step). */
export function combineOf(name: MemberCombineName, values: readonly number[]): number {
  return name === "logit-mean" ? logitMeanOf(values) : memberMeanOf(values);
}

/** How a combination reads in logs and reports: "mean" or "mean log-odds". */
export function combineWords(name: MemberCombineName | undefined): string {
  return name === "logit-mean" ? "mean log-odds" : "mean";
}

/** logitMeanOf window by window. */
export function logitMean(members: readonly ArrayLike<number>[], n: number): Float32Array {
  if (members.length === 0) throw new RangeError("logitMean: no members");
  for (const m of members) if (m.length !== n) throw new RangeError(`logitMean: a member holds ${m.length} scores, expected ${n}`);
  return Float32Array.from({ length: n }, (_, i) => logitMeanOf(members.map((m) => m[i])));
}

export function memberCombine(name: MemberCombineName): MemberCombine {
  return name === "logit-mean" ? logitMean : memberMean;
}
