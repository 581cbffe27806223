// LSTM/GRU window classifiers: the model the notebooks train, sized for URFD windows.
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../random";
import { withoutOrthogonalWarning } from "./quiet";
import { ownOptimizer } from "./own-optimizer";

export type RnnKind = "lstm" | "gru";
export const RNN_KINDS: readonly RnnKind[] = ["lstm", "gru"];

export interface RnnModelOptions {
  kind: RnnKind;
  /** Frames per window (T). */
  timesteps: number;
  /** Features per frame (F). */
  features: number;
  /** Units per recurrent layer, one entry a layer. */
  units?: readonly number[];
  /** Rate of the Dropout layer after each recurrent layer; 0 leaves them out. */
  dropout?: number;
  /** Seed of every initialiser. */
  seed?: number;
  /** Adam learning rate. */
  learningRate?: number;
  /** Loss weight of fall (y = 1) windows in the binary cross-entropy; 1 = plain BCE. */
  positiveWeight?: number;
}

/** One GRU/LSTM(32) layer with dropout 0.3: the best accuracy-for-speed on URFD [32, 16] windows (FACTS.md). */
export const RNN_DEFAULTS = { units: [32], dropout: 0.3, seed: 42, learningRate: 1e-3 } as const;

/** Options with every default filled in. */
export function resolveRnnOptions(opts: RnnModelOptions): Required<RnnModelOptions> {
  return {
    kind: opts.kind,
    timesteps: opts.timesteps,
    features: opts.features,
    units: opts.units ? [...opts.units] : [...RNN_DEFAULTS.units],
    dropout: opts.dropout ?? RNN_DEFAULTS.dropout,
    seed: opts.seed ?? RNN_DEFAULTS.seed,
    learningRate: opts.learningRate ?? RNN_DEFAULTS.learningRate,
    positiveWeight: opts.positiveWeight ?? 1, // plain binary cross-entropy
  };
}

/** How a model is built, beside what it is (its spec). */
export interface BuildOptions {
  /**
   * The caller overwrites every weight before any use (a worker thread loads the weights the main thread
   * shares): the recurrent kernels then skip tfjs's orthogonal initialiser, whose QR took ~150 ms a worker.
   */
  placeholderWeights?: boolean;
  /** The last recurrent layer returns its whole sequence, so the Dense head scores every step (per-step label studies). */
  everyStep?: boolean;
}

/** Deterministic stream of initialiser seeds derived from one seed. */
export function seedStream(seed: number): () => number {
  const rng = createRng(seed);
  return () => Math.floor(rng() * 2 ** 31);
}

export function assertRnnKind(kind: string): asserts kind is RnnKind {
  if (!(RNN_KINDS as readonly string[]).includes(kind)) throw new Error(`Unsupported model type: ${kind}`);
}

/**
 * A compiled binary classifier: recurrent layer(s) → Dropout → Dense(1, sigmoid), Adam + binary
 * cross-entropy + accuracy. Weights are seeded; dropout masks are not (the distributed trainer
 * seeds them per batch, see reseedDropout).
 */
export function buildRnnModel(opts: RnnModelOptions, build: BuildOptions = {}): tf.LayersModel {
  assertRnnKind(opts.kind);
  const o = resolveRnnOptions(opts);
  if (o.units.length === 0) throw new Error("units must list at least one layer");
  const nextSeed = seedStream(o.seed);
  return withoutOrthogonalWarning(() => {
    const model = tf.sequential();
    o.units.forEach((units, i) => {
      const kernelInitializer = tf.initializers.glorotUniform({ seed: nextSeed() });
      const recurrentSeed = nextSeed(); // drawn either way: the later layers' seeds stay where they were
      const args = {
        units,
        returnSequences: i < o.units.length - 1 || build.everyStep === true,
        kernelInitializer,
        recurrentInitializer: build.placeholderWeights ? tf.initializers.zeros() : tf.initializers.orthogonal({ seed: recurrentSeed, gain: 1 }),
        biasInitializer: tf.initializers.zeros(),
        ...(i === 0 ? { inputShape: [o.timesteps, o.features] } : {}),
      };
      model.add(o.kind === "lstm" ? tf.layers.lstm(args) : tf.layers.gru(args));
      if (o.dropout > 0) model.add(tf.layers.dropout({ rate: o.dropout }));
    });
    return addClassifierHead(model, nextSeed, o.learningRate, o.positiveWeight);
  });
}

/** Dense(1, sigmoid) on top, compiled with Adam + binary cross-entropy: shared by every builder. */
export function addClassifierHead(model: tf.Sequential, nextSeed: () => number, learningRate: number, positiveWeight = 1): tf.Sequential {
  model.add(
    tf.layers.dense({
      units: 1,
      activation: "sigmoid",
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: tf.initializers.zeros(),
    }),
  );
  const loss = positiveWeight === 1 ? "binaryCrossentropy" : weightedBinaryCrossentropy(positiveWeight);
  model.compile({ optimizer: tf.train.adam(learningRate), loss, metrics: ["accuracy"] });
  return ownOptimizer(model);
}

/**
 * Give every Dropout layer a fixed seed for its next call. tfjs draws a mask from `seed` on each
 * call (a fixed seed repeats the mask), so the trainer sets a fresh seeded value before each batch:
 * masks vary between batches yet a run is reproducible. The field is private in tfjs's types.
 */
export function reseedDropout(model: tf.LayersModel, nextSeed: () => number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === "Dropout") (layer as unknown as { seed?: number }).seed = nextSeed();
  }
}

/** The property of a weightedBinaryCrossentropy function that holds its positive weight. */
export const POSITIVE_WEIGHT = "positiveWeight";

/**
 * Binary cross-entropy with fall windows weighted `positiveWeight` and the others 1, per example
 * (mean over the last axis, as tfjs's own loss): −[w·y·log p + (1 − y)·log(1 − p)], p clipped to
 * [ε, 1 − ε] with Keras's ε = 1e-7. With weight 1 it equals "binaryCrossentropy" up to rounding.
 */
export function weightedBinaryCrossentropy(positiveWeight: number): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  if (!(positiveWeight > 0) || !Number.isFinite(positiveWeight)) throw new RangeError(`positiveWeight must be a positive number, got ${positiveWeight}`);
  const loss = (yTrue: tf.Tensor, yPred: tf.Tensor) =>
    tf.tidy(() => {
      const eps = 1e-7;
      const p = tf.clipByValue(yPred, eps, 1 - eps);
      const pos = tf.mul(tf.mul(yTrue, tf.log(p)), positiveWeight);
      const neg = tf.mul(tf.sub(1, yTrue), tf.log(tf.sub(1, p)));
      return tf.neg(tf.mean(tf.add(pos, neg), -1));
    });
  // Tagged so the native training step (native-plan.ts) can compute the same loss.
  return Object.assign(loss, { [POSITIVE_WEIGHT]: positiveWeight });
}
