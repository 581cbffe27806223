export * from "./rnn";
export * from "./original";
export * from "./spec";
export * from "./summary";
export * from "./io";
export { withoutOrthogonalWarning } from "./quiet";
export { expectedWeightCount, recurrentLayerWeights } from "./weight-count";
export { readFlatWeights, writeFlatWeights, weightShapes, weightCount } from "./model-weights";
