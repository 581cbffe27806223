// What one trained and evaluated fold hands to metrics.json and the report (its own file so that
// run-pipeline, metrics-json and report do not import each other).
import type { Evaluation } from "../evaluate";
import type { PreparedSplit } from "./prepare";
import type { FoldResultData } from "./train-fold";

export interface FoldOutcome {
  split: PreparedSplit;
  result: FoldResultData;
  evaluation: Evaluation;
}
