// `npm run pipeline`: load → prepare → model → configure → train → evaluate in one process,
// everything written into a staging folder that is renamed to --out only when the run succeeded.
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../backend";
import { resolveData } from "../data/load";
import { writePartitions, writeWindowSet } from "../data/arrow-io";
import { concatWindowSets } from "../data/split";
import { findProjectRoot } from "../data/project-root";
import { alignToThreshold, evaluateAll, Evaluation } from "../evaluate";
import { ModelSpec } from "../model/spec";
import { DistributedConfig } from "../distributed/config";
import { ProgressEventCallback } from "../distributed";
import { writeJsonAtomic, writeFileAtomic } from "../run/atomic";
import { PipelineOptions } from "../cli/pipeline-options";
import { PreparedSplit, prepareFolds, prepareHoldout, windowDataset } from "./prepare";
import { trainFold, TrainFoldResult } from "./train-fold";
import { buildReportHtml } from "./report";
import { writePreprocessing } from "../export/preprocessing";
import { metricsJson, MetricsJson } from "./metrics-json";

export interface PipelineHooks {
  log: (line: string) => void;
  onProgress?: (fold: number, folds: number) => ProgressEventCallback;
}

export interface FoldOutcome {
  split: PreparedSplit;
  result: TrainFoldResult;
  evaluation: Evaluation;
}

export interface PipelineOutcome {
  out: string;
  metrics: MetricsJson;
}

const HOLDOUT_TEST_FRACTION = 0.2;

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
  return path.join(findProjectRoot(), "runs", stamp);
}

function checkOutFree(out: string): void {
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    throw new Error(`${out}: output folder exists and is not empty; choose another --out`);
  }
}

export async function runPipeline(opts: PipelineOptions, hooks: PipelineHooks): Promise<PipelineOutcome> {
  const started = Date.now();
  const out = path.resolve(opts.out ?? defaultOut());
  checkOutFree(out);
  const staging = `${out}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const backend = await initBackend();
    hooks.log(`backend: ${backend.name}${backend.skipped.length ? ` (fell back: ${backend.skipped.map((s) => s.name).join(", ")} unavailable)` : ""}`);

    const ds = resolveData({ dir: opts.data ?? undefined, seed: opts.seed });
    hooks.log(`data: ${ds.provenance.note}`);
    const windowOptions = { T: opts.window, stride: opts.stride, withDiffs: true };
    const { windows, skipped } = windowDataset(ds, windowOptions);
    if (skipped.length) hooks.log(`sequences shorter than the window, left out: ${skipped.join(", ")}`);
    hooks.log(`windows: ${windows.count} of [T=${windows.T}, F=${windows.F}]`);

    const splits = opts.folds
      ? prepareFolds(windows, { k: opts.folds, seed: opts.seed })
      : [prepareHoldout(windows, { testFraction: HOLDOUT_TEST_FRACTION, seed: opts.seed })];
    for (const s of splits) {
      if (s.train.count < opts.workers) {
        throw new Error(`--workers ${opts.workers} is more than the ${s.train.count} training windows of a split`);
      }
    }

    const spec: ModelSpec = { type: "rnn", options: { kind: opts.model, timesteps: windows.T, features: windows.F, seed: opts.seed } };
    const config: DistributedConfig = {
      mode: opts.mode,
      frequency: opts.frequency,
      numWorkers: opts.workers,
      batchSize: opts.batchSize,
      seed: opts.seed,
    };

    const folds: FoldOutcome[] = [];
    for (const [i, split] of splits.entries()) {
      const tag = splits.length > 1 ? `fold ${i + 1}/${splits.length}` : "hold-out split";
      hooks.log(`${tag}: training on ${split.train.count} windows, testing on ${split.test.count}`);
      const result = await trainFold(split.train, split.test, {
        spec,
        config,
        epochs: opts.epochs,
        onProgress: hooks.onProgress?.(i + 1, splits.length),
      });
      const evaluation = evaluateAll(result.testProbs, split.test, result.threshold);
      hooks.log(
        `${tag}: threshold ${result.threshold.toFixed(3)} (training data); window AUC ${evaluation.window.auc?.toFixed(3) ?? "n/a"}, ` +
          `sequences ${evaluation.sequence.confusionMatrix[1][1]}/${evaluation.sequence.support.positive} falls found, ` +
          `${evaluation.sequence.confusionMatrix[0][0]}/${evaluation.sequence.support.negative} ADLs right`,
      );
      const dir = splits.length > 1 ? path.join(staging, "models", `fold-${i + 1}`) : path.join(staging, "model");
      await result.model.save(dir);
      writePreprocessing(dir, { scaler: split.scaler, window: windowOptions, threshold: result.threshold });
      const arrowDir = splits.length > 1 ? path.join(staging, "arrow", `fold-${i + 1}`) : path.join(staging, "arrow");
      writePartitions(arrowDir, split.train, opts.workers, "train");
      writeWindowSet(path.join(arrowDir, "test.arrow"), split.test);
      folds.push({ split, result, evaluation });
    }

    // Pool out-of-fold scores, each aligned so its fold's threshold sits at 0.5.
    const pooledWindows = concatWindowSets(folds.map((f) => f.split.test));
    const pooledScores = new Float32Array(pooledWindows.count);
    let at = 0;
    for (const f of folds) {
      pooledScores.set(alignToThreshold(f.result.testProbs, f.result.threshold), at);
      at += f.result.testProbs.length;
    }
    const pooled = evaluateAll(pooledScores, pooledWindows, 0.5);

    const metrics = metricsJson({
      ds,
      options: { ...opts, out },
      backend: backend.name,
      pooled,
      folds,
      kfold: opts.folds !== null,
      wallSec: (Date.now() - started) / 1000,
    });
    writeJsonAtomic(path.join(staging, "metrics.json"), metrics);
    writeFileAtomic(path.join(staging, "report.html"), buildReportHtml({ ds, metrics, folds, pooled, pooledWindows, pooledScores }));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    if (fs.existsSync(out)) fs.rmdirSync(out); // empty (checked above)
    fs.renameSync(staging, out);
    return { out, metrics };
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}
