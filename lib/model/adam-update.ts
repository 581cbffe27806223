// One Adam step over flat Float32Arrays that may live anywhere (a SharedArrayBuffer every worker
// maps): what the asynchronous modes' shared optimizer applies when workers push gradients. The
// native kernel where it is loaded; else the same float32 formula in JavaScript (equal to float
// rounding: the native build may fuse multiply-adds).
import { adamKernel } from "./fused-rnn";

/** Adam's hyperparameters as tfjs's AdamOptimizer holds them. */
export interface AdamHyper {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/**
 * w -= lr · m̂ / (√v̂ + ε), updating m, v and accBetas ([beta1^t, beta2^t], tfjs's accBeta1/accBeta2:
 * beta1, beta2 before the first step) in place: tfjs's AdamOptimizer.applyGradients step for step.
 */
export function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, accBetas: Float32Array, h: AdamHyper): void {
  const n = w.length;
  if (g.length !== n || m.length !== n || v.length !== n || accBetas.length !== 2) {
    throw new RangeError(`adamUpdate: weights ${n}, gradient ${g.length}, m ${m.length}, v ${v.length} floats and accBetas ${accBetas.length} (need one length, and 2)`);
  }
  const native = adamKernel();
  if (native) native(w, g, m, v, accBetas, h.learningRate, h.beta1, h.beta2, h.epsilon);
  else adamUpdateJs(w, g, m, v, accBetas, h);
}

/** The native kernel's formula (lib/native/train_step.cc Adam), every operation rounded to float32. */
export function adamUpdateJs(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, accBetas: Float32Array, h: AdamHyper): void {
  const f = Math.fround;
  const beta1 = f(h.beta1);
  const beta2 = f(h.beta2);
  const oneMinusB1 = f(1 - h.beta1);
  const oneMinusB2 = f(1 - h.beta2);
  const c1 = f(1 - accBetas[0]);
  const c2 = f(1 - accBetas[1]);
  const eps = f(h.epsilon);
  const negLr = f(-h.learningRate);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    const mi = f(f(m[i] * beta1) + f(gi * oneMinusB1));
    const vi = f(f(v[i] * beta2) + f(f(gi * gi) * oneMinusB2));
    m[i] = mi;
    v[i] = vi;
    w[i] = f(f(f(f(mi / c1) / f(f(Math.sqrt(f(vi / c2))) + eps)) * negLr) + w[i]);
  }
  accBetas[0] = f(accBetas[0] * beta1);
  accBetas[1] = f(accBetas[1] * beta2);
}
