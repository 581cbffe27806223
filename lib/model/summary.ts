// model.summary() prints to console; notebooks want the lines as data.
import * as tf from "@tensorflow/tfjs";

export interface ModelSummary {
  lines: string[];
  params: number;
}

export function modelSummary(model: tf.LayersModel, lineLength = 80): ModelSummary {
  const lines: string[] = [];
  model.summary(lineLength, undefined, (message?: unknown) => {
    lines.push(...String(message ?? "").split("\n"));
  });
  return { lines, params: model.countParams() };
}
