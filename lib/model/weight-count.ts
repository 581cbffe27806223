// The number of trainable weights a spec's architecture has, from the layer formulas alone (not
// from tfjs): a built model that disagrees was built differently from what the spec describes.
import { resolveOriginalOptions } from "./original";
import { resolveRnnOptions, RnnKind } from "./rnn";
import type { ModelSpec } from "./spec";

// LSTM: 4 gates (input, forget, cell, output); GRU as tfjs builds it (no reset_after): 3, one bias each.
const GATES: Record<RnnKind, number> = { lstm: 4, gru: 3 };

/** Kernel [inputs, g·units] + recurrent kernel [units, g·units] + bias [g·units]. */
export function recurrentLayerWeights(kind: RnnKind, inputs: number, units: number): number {
  return GATES[kind] * (units * (inputs + units) + units);
}

/** Weights of the spec's model: recurrent layers, (Embedding for the original preset), Dense(1) head. */
export function expectedWeightCount(spec: ModelSpec): number {
  let inputs: number;
  let total = 0;
  let layers: readonly number[];
  if (spec.type === "rnn") {
    const o = resolveRnnOptions(spec.options);
    inputs = o.features;
    layers = o.units;
  } else {
    const o = resolveOriginalOptions(spec.options);
    total += o.vocabSize * o.embeddingDim;
    inputs = o.embeddingDim;
    layers = Array.from({ length: o.layers }, () => o.units);
  }
  for (const units of layers) {
    total += recurrentLayerWeights(spec.options.kind, inputs, units);
    inputs = units;
  }
  return total + inputs + 1; // Dense(1): one weight per input and a bias
}
