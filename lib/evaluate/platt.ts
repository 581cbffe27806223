// Platt scaling: a member's probability p re-mapped to sigmoid(a · logit(p) + b), with a and b the
// maximum-likelihood fit on labelled scores (Newton's method on the two parameters, Platt 1999 with
// Lin, Lin & Weng's 2007 target smoothing so a separable training set keeps finite parameters).
// Issue 15's "calibrating the ensemble": each member calibrated on its fold's training windows before the mean.

export interface PlattParams {
  a: number;
  b: number;
}

/** Scores are clipped here before the logit, as the pipeline's loss clips probabilities (Keras's ε). */
const EPS = 1e-7;
const logit = (p: number): number => {
  const q = Math.min(Math.max(p, EPS), 1 - EPS);
  return Math.log(q / (1 - q));
};
const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** a and b that maximise the likelihood of the labels `y` (0/1) under sigmoid(a · logit(p) + b). */
export function fitPlatt(p: Float32Array, y: Float32Array, maxIterations = 100): PlattParams {
  if (p.length !== y.length) throw new RangeError(`fitPlatt: ${p.length} scores for ${y.length} labels`);
  let positives = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`fitPlatt: label ${y[i]} at ${i} is not 0 or 1`);
    positives += y[i];
  }
  const negatives = y.length - positives;
  if (positives === 0 || negatives === 0) throw new RangeError("fitPlatt: the labels need both classes");
  // Smoothed targets: a perfectly separated training set would otherwise drive a to infinity.
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const z = Float64Array.from(p, logit);
  const t = Float64Array.from(y, (v) => (v === 1 ? hi : lo));
  // Negative log-likelihood of the smoothed targets at (a, b).
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < z.length; i++) {
      const f = a * z[i] + b;
      // log(1 + e^f) − t·f, written to stay finite for large |f|.
      sum += (f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - t[i] * f;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let it = 0; it < maxIterations; it++) {
    // Gradient and Hessian of the loss in (a, b).
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
    for (let i = 0; i < z.length; i++) {
      const q = sigmoid(a * z[i] + b);
      const r = q - t[i];
      const w = Math.max(q * (1 - q), 1e-12);
      ga += r * z[i];
      gb += r;
      haa += w * z[i] * z[i];
      hab += w * z[i];
      hbb += w;
    }
    // A small ridge keeps the step defined when every score is the same.
    const det = (haa + 1e-9) * (hbb + 1e-9) - hab * hab;
    const da = ((hbb + 1e-9) * ga - hab * gb) / det;
    const db = ((haa + 1e-9) * gb - hab * ga) / det;
    // Backtracking, as Platt's own algorithm: a full Newton step can overshoot far from the optimum.
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-8) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-12 * Math.max(1, Math.abs(current))) break;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error("fitPlatt: the fit did not converge");
  return { a, b };
}

/** p re-mapped by `params`, as float32. */
export function applyPlatt(p: Float32Array, params: PlattParams): Float32Array {
  return Float32Array.from(p, (v) => sigmoid(params.a * logit(v) + params.b));
}
