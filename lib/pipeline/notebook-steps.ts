// Typed step files between the notebooks: one type per step for the writer and a validating reader
// per step that a later notebook reads, so a stale or hand-edited file fails with one line naming
// the file and the field instead of surfacing later as an undefined deep inside a cell.
import * as path from "node:path";
import type { Fold } from "../data/split";
import { concatWindowSets } from "../data/split";
import { readWindowSet } from "../data/arrow-io";
import type { Scaler } from "../data/scaler";
import type { WindowSettings } from "../export/preprocessing";
import { parsePreprocessing } from "../export/preprocessing";
import type { ModelSpec } from "../model/spec";
import { parseModelSpec } from "../model/spec";
import { describe, expectInt, expectNumber, expectObject, Plain } from "../model/check";
import type { DistributedConfig, ResolvedConfig } from "../distributed/config";
import { validateConfig } from "../distributed/config";
import type { FitResult } from "../distributed";
import type { Metrics } from "../evaluate";
import type { DetectionFigures } from "../detect/delay";
import type { WindowSet } from "../types";
import { loadStep, notebookRunDir, saveStep, stepFile, StepName } from "../run/notebook-run";
import type { DataStep } from "./reload";

export type { DataStep } from "./reload";

/** 02-prepare: the windowing, the hold-out split, its scaler and the Arrow files (relative to the run folder). */
export interface PrepareStep {
  data: DataStep;
  window: WindowSettings;
  seed: number;
  fold: Fold;
  scaler: Scaler;
  trainFiles: string[];
  testFile: string;
}

/** 03-model: the architecture the later notebooks build. */
export interface ModelStep {
  spec: ModelSpec;
}

/** 04-distributed-config as stored: the config in its JSON form (configToJson). */
export interface DistributedStep {
  config: DistributedConfig;
  epochs: number;
}

/** 04-distributed-config as read back: the config validated, defaults filled in. */
export interface DistributedStepRead {
  config: ResolvedConfig;
  epochs: number;
}

/** 05-train: where the model went (relative to the run folder) and the threshold chosen on training data. */
export interface TrainStep {
  modelDir: string;
  threshold: number;
  smooth: number;
  backend: string;
  wallSec: number;
  windowsPerSec: number;
  merged: FitResult["merged"];
}

/** 06-evaluate: the hold-out metrics (no later notebook reads them; kept for people and diffs). */
export interface EvaluateStep {
  threshold: number;
  window: Metrics;
  sequence: Metrics;
  missedFalls: string[];
  falseAlarms: string[];
  detection: DetectionFigures;
}

/** One model of 07-original-architecture's comparison. */
export interface OriginalModelSummary {
  name: string;
  spec: ModelSpec;
  parameters: number;
  epochs: number;
  wallSec: number;
  threshold: number;
  window: { auc: number | null; accuracy: number };
  sequence: { auc: number | null; confusionMatrix: number[][] };
}

/** 07-original-architecture: the comparison's data, file and results (nothing reads it back). */
export interface OriginalStep {
  data: string;
  dfFile: string;
  testRecordings: string[];
  models: OriginalModelSummary[];
}

export interface StepValues {
  data: DataStep;
  prepare: PrepareStep;
  model: ModelStep;
  distributed: DistributedStep;
  train: TrainStep;
  evaluate: EvaluateStep;
  original: OriginalStep;
}

/** Save a step's value (typed, so a notebook cannot write a shape its reader rejects); returns the file. */
export function writeStep<K extends StepName>(step: K, value: StepValues[K], dir = notebookRunDir()): string {
  return saveStep(step, value, dir);
}

export function readDataStep(dir = notebookRunDir()): DataStep {
  const file = stepFile("data", dir);
  return parseDataStep(loadStep("data", dir), `${file}: data`);
}

export function readPrepareStep(dir = notebookRunDir()): PrepareStep {
  const file = stepFile("prepare", dir);
  const where = `${file}: prepare`;
  const o = expectObject(loadStep("prepare", dir), where);
  const { scaler, window } = parsePreprocessing({ scaler: o.scaler, window: o.window }, where);
  return {
    data: parseDataStep(o.data, `${where}.data`),
    window,
    seed: expectInt(o.seed, `${where}.seed`, 0),
    fold: parseFold(o.fold, `${where}.fold`),
    scaler,
    trainFiles: expectStrings(o.trainFiles, `${where}.trainFiles`, 1),
    testFile: expectString(o.testFile, `${where}.testFile`),
  };
}

export function readModelStep(dir = notebookRunDir()): ModelStep {
  const file = stepFile("model", dir);
  const o = expectObject(loadStep("model", dir), `${file}: model`);
  return { spec: withFile(file, () => parseModelSpec(o.spec)) };
}

export function readDistributedStep(dir = notebookRunDir()): DistributedStepRead {
  const file = stepFile("distributed", dir);
  const where = `${file}: distributed`;
  const o = expectObject(loadStep("distributed", dir), where);
  return { config: withFile(file, () => validateConfig(o.config)), epochs: expectInt(o.epochs, `${where}.epochs`, 1) };
}

export function readTrainStep(dir = notebookRunDir()): TrainStep {
  const file = stepFile("train", dir);
  const where = `${file}: train`;
  const o = expectObject(loadStep("train", dir), where);
  return {
    modelDir: expectString(o.modelDir, `${where}.modelDir`),
    threshold: expectNumber(o.threshold, `${where}.threshold`, { min: 0, max: 1 }),
    smooth: expectInt(o.smooth, `${where}.smooth`, 1),
    backend: expectString(o.backend, `${where}.backend`),
    wallSec: expectNumber(o.wallSec, `${where}.wallSec`, { min: 0 }),
    windowsPerSec: expectNumber(o.windowsPerSec, `${where}.windowsPerSec`, { min: 0 }),
    merged: parseMerged(o.merged, `${where}.merged`),
  };
}

/** The prepared training partitions of 02, joined into one window set. */
export function readPreparedTrain(prep: PrepareStep, dir = notebookRunDir()): WindowSet {
  return concatWindowSets(prep.trainFiles.map((f) => readWindowSet(path.join(dir, f))));
}

/** The prepared hold-out test windows of 02. */
export function readPreparedTest(prep: PrepareStep, dir = notebookRunDir()): WindowSet {
  return readWindowSet(path.join(dir, prep.testFile));
}

/** A data step's value (also the `data` field of 02's step); `where` names the file and field. */
export function parseDataStep(value: unknown, where: string): DataStep {
  const o = expectObject(value, where);
  const p = expectObject(o.provenance, `${where}.provenance`);
  if (p.source !== "urfd" && p.source !== "synthetic") {
    throw new TypeError(`${where}.provenance.source must be 'urfd' or 'synthetic' (the data a notebook can rebuild); got ${describe(p.source)}`);
  }
  const dir = p.source === "urfd" ? expectString(p.dir, `${where}.provenance.dir`) : expectStringOrNull(p.dir, `${where}.provenance.dir`);
  return {
    provenance: { source: p.source, dir, files: expectStrings(p.files, `${where}.provenance.files`, 0), note: expectString(p.note, `${where}.provenance.note`) },
    syntheticSeed: expectInt(o.syntheticSeed, `${where}.syntheticSeed`, 0),
  };
}

function parseFold(value: unknown, where: string): Fold {
  const o = expectObject(value, where);
  return { trainSeq: expectInts(o.trainSeq, `${where}.trainSeq`), testSeq: expectInts(o.testSeq, `${where}.testSeq`) };
}

function parseMerged(value: unknown, where: string): FitResult["merged"] {
  const o: Plain = expectObject(value, where);
  const merged: FitResult["merged"] = { loss: expectNumbers(o.loss, `${where}.loss`), acc: expectNumbers(o.acc, `${where}.acc`) };
  if (o.valLoss !== undefined) merged.valLoss = expectNumbers(o.valLoss, `${where}.valLoss`);
  if (o.valAcc !== undefined) merged.valAcc = expectNumbers(o.valAcc, `${where}.valAcc`);
  return merged;
}

/** Validators of lib/model and lib/distributed name the field but not the file: prefix it. */
function withFile<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new TypeError(`${file}: ${(e as Error).message}`);
  }
}

function expectString(v: unknown, where: string): string {
  if (typeof v !== "string" || v === "") throw new TypeError(`${where} must be a non-empty string; got ${describe(v)}`);
  return v;
}

function expectStringOrNull(v: unknown, where: string): string | null {
  return v === null ? null : expectString(v, where);
}

function expectStrings(v: unknown, where: string, minLength: number): string[] {
  if (!Array.isArray(v) || v.length < minLength) throw new TypeError(`${where} must be an array of at least ${minLength} strings; got ${describe(v)}`);
  return v.map((x, i) => expectString(x, `${where}[${i}]`));
}

function expectInts(v: unknown, where: string): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${where} must be an array of integers; got ${describe(v)}`);
  return v.map((x, i) => expectInt(x, `${where}[${i}]`, 0));
}

/** Losses and accuracies: finite and never negative. */
function expectNumbers(v: unknown, where: string): number[] {
  if (!Array.isArray(v)) throw new TypeError(`${where} must be an array of numbers; got ${describe(v)}`);
  return v.map((x, i) => expectNumber(x, `${where}[${i}]`, { min: 0 }));
}
