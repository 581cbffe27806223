// Adam's state as plain arrays, out of and into tfjs's AdamOptimizer: what weight averaging with
// averaged moments exchanges when the step is not native (native-step.ts holds its own).
import * as tf from "@tensorflow/tfjs";

/** Adam's state in trainableWeights order, flat: first and second moments, and the steps taken (the t of beta^t). */
export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  steps: number;
}

/** tfjs's AdamOptimizer fields read and written here and by the native step (private in its types). */
export interface AdamInternals {
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  iterations_: number | null | undefined;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** The model's optimizer, or a one-line error when it is not Adam (only Adam's moments are averaged). */
export function adamOf(model: tf.LayersModel): AdamInternals {
  const opt = model.optimizer as unknown as (AdamInternals & { getClassName?: () => string }) | undefined;
  if (!opt || opt.getClassName?.() !== "Adam") throw new TypeError(`averaging Adam's moments needs a model compiled with Adam; got ${opt?.getClassName?.() ?? "no optimizer"}`);
  return opt;
}

/** Copies the optimizer's moments (zeros before its first step) and step count into `into`. */
export function readTfjsAdam(model: tf.LayersModel, into: AdamState): void {
  const adam = adamOf(model);
  const vars = trainableVars(model, into);
  let offset = 0;
  vars.forEach((v, i) => {
    const m = adam.accumulatedFirstMoment[i]?.variable;
    const s = adam.accumulatedSecondMoment[i]?.variable;
    if (m) into.m.set(m.dataSync() as Float32Array, offset);
    else into.m.fill(0, offset, offset + v.size);
    if (s) into.v.set(s.dataSync() as Float32Array, offset);
    else into.v.fill(0, offset, offset + v.size);
    offset += v.size;
  });
  into.steps = adam.iterations_ ?? 0;
}

/** Replaces the optimizer's moments and step count; beta^t follows the (possibly fractional) mean t. */
export function writeTfjsAdam(model: tf.LayersModel, state: AdamState): void {
  const adam = adamOf(model);
  const vars = trainableVars(model, state);
  let offset = 0;
  vars.forEach((v, i) => {
    const put = (slots: AdamInternals["accumulatedFirstMoment"], from: Float32Array, suffix: string) => {
      const values = from.slice(offset, offset + v.size);
      if (slots[i]) tf.tidy(() => slots[i].variable.assign(tf.tensor(values, v.shape)));
      else slots[i] = { originalName: `${v.name}/${suffix}`, variable: tf.variable(tf.tensor(values, v.shape), false) };
    };
    put(adam.accumulatedFirstMoment, state.m, "m");
    put(adam.accumulatedSecondMoment, state.v, "v");
    offset += v.size;
  });
  // Same t: the running product stays, so averaging one worker's state changes nothing (pow rounds otherwise).
  if (state.steps === (adam.iterations_ ?? 0)) return;
  tf.tidy(() => {
    adam.accBeta1.assign(tf.scalar(adam.beta1 ** state.steps));
    adam.accBeta2.assign(tf.scalar(adam.beta2 ** state.steps));
  });
  adam.iterations_ = Math.round(state.steps);
}

function trainableVars(model: tf.LayersModel, state: AdamState): tf.Variable[] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const n = vars.reduce((a, v) => a + v.size, 0);
  if (state.m.length !== n || state.v.length !== n) throw new RangeError(`Adam state of ${state.m.length} and ${state.v.length} floats for ${n} trainable weights`);
  return vars;
}
