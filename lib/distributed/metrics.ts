// Binary cross-entropy and accuracy as tfjs computes them (epsilon 1e-7, threshold 0.5), from
// plain predictions: lets workers report sums and the main thread merge them exactly.

const EPSILON = 1e-7;

export interface MetricSums {
  lossSum: number;
  correct: number;
  count: number;
}

export function binaryMetricSums(pred: Float32Array, y: Float32Array): MetricSums {
  if (pred.length !== y.length) throw new RangeError(`binaryMetricSums: ${pred.length} predictions for ${y.length} labels`);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(Math.max(pred[i], EPSILON), 1 - EPSILON);
    lossSum -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
    if ((pred[i] > 0.5 ? 1 : 0) === y[i]) correct++;
  }
  return { lossSum, correct, count: y.length };
}

export function mergeMetricSums(parts: readonly MetricSums[]): MetricSums {
  return parts.reduce((a, b) => ({ lossSum: a.lossSum + b.lossSum, correct: a.correct + b.correct, count: a.count + b.count }), {
    lossSum: 0,
    correct: 0,
    count: 0,
  });
}

export function metricsFromSums(s: MetricSums): { loss: number; accuracy: number } {
  return s.count === 0 ? { loss: NaN, accuracy: NaN } : { loss: s.lossSum / s.count, accuracy: s.correct / s.count };
}

/** A merged epoch's validation figures as progress events and epoch-end hooks carry them (none without validation). */
export function valFields(val: { loss: number; accuracy: number } | null): { valLoss?: number; valAcc?: number } {
  return val ? { valLoss: val.loss, valAcc: val.accuracy } : {};
}
