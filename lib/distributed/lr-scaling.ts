// The learning-rate scaling rules for weight averaging: N workers averaging their weights once per
// round move the model about 1/N as far as one worker taking all the steps, so the rate is scaled
// up (Goyal et al. 2017: linear, reached by a linear warm-up; sqrt: the milder rule often used with Adam).

export const LR_SCALINGS = ["none", "linear", "sqrt"] as const;
export type LrScaling = (typeof LR_SCALINGS)[number];

/** The factor a rule puts on the base rate once warmed up, for `workers` averaged replicas. */
export function targetFactor(rule: LrScaling, workers: number): number {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer; got ${workers}`);
  return rule === "linear" ? workers : rule === "sqrt" ? Math.sqrt(workers) : 1;
}

/**
 * The factor at `progress` epochs into training (epoch + batches done / batches of the epoch):
 * from 1 at the start, linearly to the target over the first `warmupEpochs`, the target after.
 */
export function learningRateFactor(rule: LrScaling, workers: number, warmupEpochs: number, progress: number): number {
  const target = targetFactor(rule, workers);
  if (!(warmupEpochs >= 0) || !(progress >= 0)) throw new RangeError(`warm-up epochs and progress must be >= 0; got ${warmupEpochs}, ${progress}`);
  if (progress >= warmupEpochs) return target;
  return 1 + ((target - 1) * progress) / warmupEpochs;
}

/** The rule in words, for metrics.json's training.averaging. */
export function describeLrScaling(rule: LrScaling, workers: number, warmupEpochs: number): string {
  if (rule === "none") return "";
  const name = rule === "linear" ? "the linear scaling rule of Goyal et al. 2017" : "the square-root scaling rule";
  const warm = warmupEpochs > 0 ? `, reached by a linear warm-up from 1× over the first ${warmupEpochs} epoch${warmupEpochs === 1 ? "" : "s"}` : ", from the first batch";
  return `learning rate × ${+targetFactor(rule, workers).toFixed(4)} (${name}, ${workers} workers)${warm}`;
}
