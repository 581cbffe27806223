// The notebooks hand their results to each other through small JSON files in one run folder;
// each file is written atomically and read back with a message naming the notebook to run.
import * as fs from "node:fs";
import * as path from "node:path";
import { findProjectRoot } from "../data/project-root";
import { readJson, writeJsonAtomic } from "./atomic";

export const RUN_DIR_ENV = "FALL_RUN_DIR";

/** Steps in notebook order; the value names the notebook that writes it. */
export const STEPS = {
  data: "01-load-data",
  prepare: "02-prepare",
  model: "03-model",
  distributed: "04-distributed-config",
  train: "05-train",
  evaluate: "06-evaluate",
  original: "07-original-architecture",
} as const;
export type StepName = keyof typeof STEPS;

/** runs/notebook under the project (or $FALL_RUN_DIR), created on demand. */
export function notebookRunDir(): string {
  const env = process.env[RUN_DIR_ENV];
  const dir = env && env !== "" ? path.resolve(env) : path.join(findProjectRoot(), "runs", "notebook");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function stepFile(step: StepName, dir = notebookRunDir()): string {
  return path.join(dir, `${STEPS[step]}.json`);
}

export function saveStep(step: StepName, value: unknown, dir = notebookRunDir()): string {
  const file = stepFile(step, dir);
  writeJsonAtomic(file, { step: STEPS[step], savedAt: new Date().toISOString(), value });
  return file;
}

/** The value a previous notebook saved; throws naming the notebook to run first. */
export function loadStep(step: StepName, dir = notebookRunDir()): unknown {
  const file = stepFile(step, dir);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run notebooks/${STEPS[step]}.ipynb first`);
  const doc = readJson(file);
  if (typeof doc !== "object" || doc === null || !("value" in doc)) throw new Error(`${file}: not a step file`);
  return (doc as { value: unknown }).value;
}
