// The Python project's model, kept as a preset for comparison: token windows → Embedding(168, 50)
// → 3 × LSTM|GRU(256, relu, hard-sigmoid gates) each followed by Dropout(0.5) → Dense(1, sigmoid).
// 1.37 M parameters (LSTM): far bigger and slower than the URFD defaults in rnn.ts.
import * as tf from "@tensorflow/tfjs";
import { addClassifierHead, assertRnnKind, BuildOptions, RnnKind, seedStream } from "./rnn";
import { orthogonalMatrix } from "./orthogonal";

export interface OriginalModelOptions {
  kind: RnnKind;
  vocabSize?: number;
  embeddingDim?: number;
  units?: number;
  layers?: number;
  /** Tokens per window; the input is [timesteps] integer ids below vocabSize. */
  timesteps?: number;
  seed?: number;
  learningRate?: number;
  dropout?: number;
}

export const ORIGINAL_DEFAULTS = {
  vocabSize: 168,
  embeddingDim: 50,
  units: 256,
  layers: 3,
  timesteps: 16,
  seed: 42,
  learningRate: 1e-3,
  dropout: 0.5,
} as const;

export function resolveOriginalOptions(opts: OriginalModelOptions): Required<OriginalModelOptions> {
  return { ...ORIGINAL_DEFAULTS, ...stripUndefined(opts), kind: opts.kind };
}

export function buildOriginalModel(opts: OriginalModelOptions, build: BuildOptions = {}): tf.LayersModel {
  assertRnnKind(opts.kind);
  const o = resolveOriginalOptions(opts);
  const nextSeed = seedStream(o.seed);
  const recurrentSeeds: number[] = [];
  const model = tf.sequential();
  model.add(
    tf.layers.embedding({
      inputDim: o.vocabSize,
      outputDim: o.embeddingDim,
      inputLength: o.timesteps,
      inputShape: [o.timesteps],
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: nextSeed() }),
    }),
  );
  for (let i = 0; i < o.layers; i++) {
    const args = {
      units: o.units,
      activation: "relu" as const,
      recurrentActivation: "hardSigmoid" as const,
      returnSequences: i < o.layers - 1,
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
      // set by setOrthogonalRecurrentKernels: tfjs's orthogonal initializer takes seconds at this size
      recurrentInitializer: tf.initializers.zeros(),
      biasInitializer: tf.initializers.zeros(),
    };
    recurrentSeeds.push(nextSeed());
    model.add(o.kind === "lstm" ? tf.layers.lstm(args) : tf.layers.gru(args));
    if (o.dropout > 0) model.add(tf.layers.dropout({ rate: o.dropout }));
  }
  if (!build.placeholderWeights) setOrthogonalRecurrentKernels(model, recurrentSeeds);
  return addClassifierHead(model, nextSeed, o.learningRate);
}

/** Recurrent kernels [units, gates × units] of the RNN layers, in order, from their seeds. */
function setOrthogonalRecurrentKernels(model: tf.Sequential, seeds: number[]): void {
  const rnns = model.layers.filter((l) => l.getClassName() === "LSTM" || l.getClassName() === "GRU");
  rnns.forEach((layer, i) => {
    const weights = layer.getWeights();
    const recurrent = weights[1];
    const [rows, cols] = recurrent.shape;
    const q = tf.tensor2d(orthogonalMatrix(rows, cols, seeds[i]), [rows, cols]);
    layer.setWeights([weights[0], q, ...weights.slice(2)]);
    q.dispose();
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
