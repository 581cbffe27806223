// The public surface: notebooks import everything from here (`import { ... } from "../dist/lib"`).
// Importing it costs about what the submodules a notebook needs cost (~0.2 s, measured in Node and in
// a tslab kernel): tfjs loads either way and the wasm backend only in initBackend; danfojs (~0.6 s)
// loads on the first DataFrame view.
export * from "./backend";
export * from "./types";
export * from "./random";
export * from "./data";
export { frameTableToDataFrame, classCountsFrame, splitSizesFrame } from "./data/dataframe";
export * from "./model";
export * from "./distributed";
export * from "./cluster";
export * from "./evaluate";
export * from "./plot";
export * from "./mcfd";
export * from "./streaming";
export * from "./export";
export * from "./detect";
export { showPlot, showTable, showText, showMarkdown } from "./notebook/display";
export { notebookRunDir, stepFile, STEPS, RUN_DIR_ENV } from "./run/notebook-run";
export type { StepName } from "./run/notebook-run";
export * from "./pipeline/notebook-steps";
export { reloadDataset } from "./pipeline/reload";
export { windowDataset, prepareHoldout, prepareFolds } from "./pipeline/prepare";
export type { PreparedSplit, WindowedData } from "./pipeline/prepare";
export { epochProgressPrinter } from "./pipeline/progress";
export { evaluationViews, trainingFigure } from "./pipeline/evaluation-views";
export type { EvaluationViews } from "./pipeline/evaluation-views";
export { detectionRow, kernelSentence } from "./pipeline/report";
export { prepareComparison, trainAndEvaluate, comparisonTable, comparisonRocFigure, comparisonSummary, postureHistogramFigure } from "./pipeline/original-comparison";
export type { ComparisonSplit, ModelOutcome } from "./pipeline/original-comparison";
