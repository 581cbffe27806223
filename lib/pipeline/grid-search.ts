// `npm run pipeline -- --grid`: the original project's CrossValidator grid. Every combination of
// model × units × epochs × batch size is trained and scored by grouped K-fold cross-validation on
// the SAME folds (one prepareFolds call), with the pipeline's own pieces: trainFold per fold,
// out-of-fold scores aligned to each fold's threshold (alignToThreshold), pooled, evaluateAll.
// Nothing is written until every point is done; then grid.json and grid.md are written into the
// staging folder `<out>.partial` and it is renamed to `<out>` (a failure leaves nothing behind).
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../backend";
import { resolveData } from "../data/load";
import { DataError } from "../data/errors";
import { concatWindowSets } from "../data/split";
import { findProjectRoot } from "../data/project-root";
import { alignToThreshold, evaluateAll, Evaluation } from "../evaluate";
import { DistributedConfig } from "../distributed/config";
import { writeFileAtomic, writeJsonAtomic } from "../run/atomic";
import { featureWindowSpec, GridSpec, ModelKind, PipelineOptions, weightAveragingConfig } from "./options";
import { PreparedSplit, prepareFolds, windowDataset } from "./prepare";
import { disposeMembers, trainFold } from "./train-fold";

export interface GridHooks {
  log: (line: string) => void;
  warn?: (line: string) => void;
  /** Called once the staging folder exists (just before the final files are written). */
  onStaging?: (staging: string) => void;
}

export interface GridPoint {
  model: ModelKind;
  units: number;
  epochs: number;
  batchSize: number;
}

export interface GridRow extends GridPoint {
  sequence: Pick<Evaluation["sequence"], "f1" | "recall" | "specificity" | "auc" | "confusionMatrix">;
  window: Pick<Evaluation["window"], "auc" | "f1">;
  /** Wall-clock seconds spent training and predicting this point's folds. */
  trainSec: number;
}

export interface GridOutcome {
  out: string;
  rows: GridRow[];
  markdown: string;
}

/** Every combination of the lists, in list order (model outermost). */
export function gridPoints(grid: GridSpec): GridPoint[] {
  const points: GridPoint[] = [];
  for (const model of grid.models)
    for (const units of grid.units)
      for (const epochs of grid.epochs)
        for (const batchSize of grid.batchSizes) points.push({ model, units, epochs, batchSize });
  return points;
}

/** Best first: sequence F1 descending, then window AUC descending (n/a last); ties keep grid order. */
export function sortGridRows(rows: readonly GridRow[]): GridRow[] {
  const auc = (r: GridRow) => r.window.auc ?? -Infinity;
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => b.r.sequence.f1 - a.r.sequence.f1 || auc(b.r) - auc(a.r) || a.i - b.i)
    .map(({ r }) => r);
}

const fmt = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

export function gridMarkdown(rows: readonly GridRow[]): string {
  const head = "| rank | model | units | epochs | batch | seq F1 | seq recall | seq specificity | seq AUC | window AUC | window F1 | train s |";
  const rule = "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const lines = rows.map((r, i) =>
    `| ${i + 1} | ${r.model} | ${r.units} | ${r.epochs} | ${r.batchSize} | ${fmt(r.sequence.f1)} | ${fmt(r.sequence.recall)} | ` +
      `${fmt(r.sequence.specificity)} | ${fmt(r.sequence.auc)} | ${fmt(r.window.auc)} | ${fmt(r.window.f1)} | ${r.trainSec.toFixed(1)} |`,
  );
  return [head, rule, ...lines].join("\n") + "\n";
}

function checkOutFree(out: string): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new Error(`${out}: --out exists and is not a folder; choose another --out`);
  if (fs.readdirSync(out).length > 0) throw new Error(`${out}: output folder exists and is not empty; choose another --out`);
}

function defaultOut(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").replace("T", "_").slice(0, 19);
  return path.join(findProjectRoot(), "runs", `${stamp}-grid`);
}

/** Load, window and fold the data once: every grid point sees the same folds. */
function prepareGridFolds(opts: PipelineOptions, k: number, hooks: GridHooks): PreparedSplit[] {
  const warn = hooks.warn ?? hooks.log;
  const ds = resolveData({ dir: opts.data ?? undefined, synthetic: opts.synthetic, seed: opts.seed });
  hooks.log(`data: ${ds.provenance.note}`);
  const name = ds.provenance.files.length ? ds.provenance.files.join(" and ") : "synthetic data";
  let windowed;
  try {
    windowed = windowDataset(ds, { T: opts.window, stride: opts.stride, withDiffs: true, diffLags: opts.diffLags });
  } catch (err) {
    throw new DataError(name, null, `${(err as Error).message} (--window ${opts.window} --stride ${opts.stride})`);
  }
  for (const id of windowed.skipped) warn(`warning: sequence ${id} is shorter than --window ${opts.window}: left out (no window)`);
  const { windows } = windowed;
  const recordings = new Set(windows.seq).size;
  hooks.log(`windows: ${windows.count} of [T=${windows.T}, F=${windows.F}] from ${recordings} recordings`);
  if (recordings < k) throw new DataError(name, null, `${recordings} recording(s) give windows, --folds ${k} needs at least ${k}`);
  let splits: PreparedSplit[];
  try {
    splits = prepareFolds(windows, { k, seed: opts.seed });
  } catch (err) {
    throw new DataError(name, null, (err as Error).message);
  }
  for (const [i, s] of splits.entries()) {
    if (s.train.count < opts.workers) {
      throw new DataError(name, null, `--workers ${opts.workers} is more than the ${s.train.count} training windows of fold ${i + 1}; use fewer workers or a smaller --window / --stride`);
    }
  }
  return splits;
}

/** Run the grid; resolves once `<out>` holds grid.json and grid.md. `opts.folds` null means 3. */
export async function runGridSearch(opts: PipelineOptions, grid: GridSpec, hooks: GridHooks): Promise<GridOutcome> {
  const out = path.resolve(opts.out ?? defaultOut());
  const staging = `${out}.partial`;
  checkOutFree(out);
  if (fs.existsSync(staging)) throw new Error(`${staging}: exists (another run, or an interrupted one); delete it or choose another --out`);
  const k = opts.folds ?? 3;
  const points = gridPoints(grid);
  const splits = prepareGridFolds(opts, k, hooks);
  const backend = await initBackend();
  hooks.log(`backend: ${backend.name}`);
  hooks.log(`grid: ${points.length} point(s) × ${k} folds`);
  const pooledWindows = concatWindowSets(splits.map((s) => s.test));

  const rows: GridRow[] = [];
  for (const [p, point] of points.entries()) {
    const tag = `grid ${p + 1}/${points.length} (${point.model}, ${point.units} units, ${point.epochs} epochs, batch ${point.batchSize})`;
    const started = Date.now();
    const pooledScores = new Float32Array(pooledWindows.count);
    let at = 0;
    for (const [i, split] of splits.entries()) {
      const { train, test } = split;
      const spec = featureWindowSpec(opts, point.model, train, [point.units]);
      const config: DistributedConfig = { ...weightAveragingConfig(opts), numWorkers: opts.workers, batchSize: point.batchSize, seed: opts.seed };
      const result = await trainFold(train, test, { spec, config, epochs: point.epochs, smooth: opts.smooth, thresholdMidpoint: opts.thresholdMidpoint, averageEpochs: opts.averageEpochs });
      disposeMembers(result);
      pooledScores.set(alignToThreshold(result.testProbs, result.threshold), at);
      at += result.testProbs.length;
      hooks.log(`${tag}: fold ${i + 1}/${k} done`);
    }
    const trainSec = (Date.now() - started) / 1000;
    const e = evaluateAll(pooledScores, pooledWindows, 0.5);
    const { f1, recall, specificity, auc, confusionMatrix } = e.sequence;
    rows.push({ ...point, sequence: { f1, recall, specificity, auc, confusionMatrix }, window: { auc: e.window.auc, f1: e.window.f1 }, trainSec });
    hooks.log(`${tag}: sequence F1 ${fmt(f1)}, window AUC ${fmt(e.window.auc)} (${trainSec.toFixed(1)} s)`);
  }

  const sorted = sortGridRows(rows);
  const markdown = gridMarkdown(sorted);
  checkOutFree(out);
  fs.mkdirSync(path.dirname(staging), { recursive: true });
  fs.mkdirSync(staging);
  hooks.onStaging?.(staging);
  try {
    writeJsonAtomic(path.join(staging, "grid.json"), sorted);
    writeFileAtomic(path.join(staging, "grid.md"), markdown);
    if (fs.existsSync(out)) fs.rmdirSync(out); // empty (checked above)
    fs.renameSync(staging, out);
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { out, rows: sorted, markdown };
}
