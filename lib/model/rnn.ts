// LSTM/GRU window classifiers: the model the notebooks train, sized for URFD windows.
import * as tf from "@tensorflow/tfjs";
import { createRng } from "../random";
import { withoutOrthogonalWarning } from "./quiet";

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
  };
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
export function buildRnnModel(opts: RnnModelOptions): tf.LayersModel {
  assertRnnKind(opts.kind);
  const o = resolveRnnOptions(opts);
  if (o.units.length === 0) throw new Error("units must list at least one layer");
  const nextSeed = seedStream(o.seed);
  return withoutOrthogonalWarning(() => {
    const model = tf.sequential();
    o.units.forEach((units, i) => {
      const args = {
        units,
        returnSequences: i < o.units.length - 1,
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: nextSeed(), gain: 1 }),
        biasInitializer: tf.initializers.zeros(),
        ...(i === 0 ? { inputShape: [o.timesteps, o.features] } : {}),
      };
      model.add(o.kind === "lstm" ? tf.layers.lstm(args) : tf.layers.gru(args));
      if (o.dropout > 0) model.add(tf.layers.dropout({ rate: o.dropout }));
    });
    return addClassifierHead(model, nextSeed, o.learningRate);
  });
}

/** Dense(1, sigmoid) on top, compiled with Adam + binary cross-entropy: shared by every builder. */
export function addClassifierHead(model: tf.Sequential, nextSeed: () => number, learningRate: number): tf.Sequential {
  model.add(
    tf.layers.dense({
      units: 1,
      activation: "sigmoid",
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      biasInitializer: tf.initializers.zeros(),
    }),
  );
  model.compile({ optimizer: tf.train.adam(learningRate), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  return model;
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
