// Pooling out-of-fold predictions whose folds chose different thresholds: each fold's scores are
// mapped monotonically so its own threshold lands on 0.5. Within a fold ranks and decisions are
// unchanged, so pooled metrics at 0.5 are exactly the decisions each fold made.

export function alignToThreshold(probs: ArrayLike<number>, threshold: number): Float32Array {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`alignToThreshold: threshold must be in (0, 1), got ${threshold}`);
  const out = new Float32Array(probs.length);
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    out[i] = p < threshold ? (0.5 * p) / threshold : 0.5 + (0.5 * (p - threshold)) / (1 - threshold);
  }
  return out;
}
