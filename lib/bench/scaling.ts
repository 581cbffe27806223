// The scaling study of issue 17: for every update rule and worker count, the 5-fold quality of the
// pipeline (window AUC, recording AUC, falls found, ADLs right) and its wall time, per seed. Pure
// parts here (cases, rows from metrics.json, the table, the figure); lib/cli/scaling.ts runs them.
import type { LrScaling, Push, SyncMode } from "../distributed/config";
import type { PlotFigure } from "../notebook/html-page";

/** One update rule of the study: a mode, and for weight averaging the remedies of issue 17 (pipeline flags of those names). */
export interface ScalingSetup {
  mode: SyncMode;
  /** undefined: the mode's own default frequency. */
  frequency?: "epoch" | "batch";
  syncEvery?: number;
  /** Rows a worker's step when not the pipeline's default (constant averaged updates: 64 / 8). */
  batchSize?: number;
  averageMoments?: boolean;
  lrScaling?: LrScaling;
  warmupEpochs?: number;
  /** Asynchronous and hogwild: 'gradients' pushes every batch's gradient to one shared Adam state. */
  push?: Push;
  /** Models a fold (the pipeline's --ensemble); undefined: 1, as issue 17's table. Not part of the setup's flag. */
  ensemble?: number;
  /** Mode gradients: micro-batches a global batch (the pipeline's --micro-batches); undefined: its default. Not part of the flag. */
  microBatches?: number;
}

export interface ScalingCase extends ScalingSetup {
  /** Worker threads (per rank when `ranks` is set). */
  workers: number;
  /** MPI ranks on this host (`--cluster mpi`); undefined: the thread trainer alone. */
  ranks?: number;
  seed: number;
}

export interface ScalingRow extends ScalingCase {
  windowAuc: number;
  recordingAuc: number;
  fallsFound: number;
  falls: number;
  adlsRight: number;
  adls: number;
  wallSec: number;
  averaging: string;
}

export const SCALING_SETUPS: ScalingSetup[] = [
  { mode: "gradients" },
  { mode: "synchronous", frequency: "epoch" },
  { mode: "synchronous", frequency: "batch" },
  { mode: "asynchronous", frequency: "epoch" },
  { mode: "hogwild", frequency: "epoch" },
  // Weight averaging's remedies (docs/scaling.md, "Weight averaging made sound?").
  { mode: "synchronous", frequency: "epoch", averageMoments: true },
  { mode: "synchronous", frequency: "epoch", lrScaling: "linear", warmupEpochs: 2 },
  { mode: "synchronous", frequency: "batch", syncEvery: 4, batchSize: 8 },
  { mode: "synchronous", frequency: "batch", syncEvery: 4, batchSize: 8, averageMoments: true },
  // Deltas pushed every batch instead of every epoch: staleness of a few pushes, not of whole epochs.
  { mode: "asynchronous", frequency: "batch" },
  { mode: "hogwild", frequency: "batch" },
  // The square-root rule (the rate × √workers), with the same warm-up: between plain averaging and the linear rule.
  { mode: "synchronous", frequency: "epoch", lrScaling: "sqrt", warmupEpochs: 2 },
  // Every batch's gradient applied with one shared Adam state (Downpour SGD), stale by the pushes meanwhile.
  { mode: "asynchronous", push: "gradients" },
  { mode: "hogwild", push: "gradients" },
  // The two rules on averaging every batch: 8 workers' steps on 64 rows each make one averaged update of 512 rows.
  { mode: "synchronous", frequency: "batch", lrScaling: "sqrt", warmupEpochs: 2 },
  { mode: "synchronous", frequency: "batch", lrScaling: "linear", warmupEpochs: 2 },
];

/** R ranks × K threads, as `--clusters 2x4` names it. */
export interface RankLayout {
  ranks: number;
  threads: number;
}

/** Every setup × (thread counts, then rank layouts) × seed, seed-major so a partial study has whole seeds. */
export function scalingCases(setups: typeof SCALING_SETUPS, workers: readonly number[], seeds: readonly number[], clusters: readonly RankLayout[] = []): ScalingCase[] {
  return seeds.flatMap((seed) =>
    setups.flatMap((s) => [...workers.map((w) => ({ ...s, workers: w, seed })), ...clusters.map((c) => ({ ...s, workers: c.threads, ranks: c.ranks, seed }))]),
  );
}

/** `--clusters 2x1,2x4`: rank layouts, or the reason the text is not one. */
export function parseRankLayouts(text: string): RankLayout[] | string {
  const out: RankLayout[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d+)x(\d+)$/.exec(part);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) return `"${part}" is not RANKSxTHREADS (e.g. 2x4)`;
    out.push({ ranks: Number(m[1]), threads: Number(m[2]) });
  }
  return out;
}

/** A case's identity, distinct for every setup, ensemble, layout and seed: the resume key and its run folder's name. */
export function caseKey(c: ScalingCase): string {
  const members = (c.ensemble ?? 1) > 1 ? `-e${c.ensemble}` : "";
  const cut = c.microBatches !== undefined ? `-mb${c.microBatches}` : "";
  return `${setupFlag(c).replace(/\//g, "-")}${members}${cut}-${c.ranks ? `r${c.ranks}x` : "w"}${c.workers}-s${c.seed}`;
}

/** How the table names a case's workers: "8" threads, or "2 ranks × 4". */
export function workersLabel(c: { workers: number; ranks?: number }): string {
  return c.ranks ? `${c.ranks} ranks × ${c.workers}` : String(c.workers);
}

/** The pipeline's arguments for one case: 5-fold, one model per fold (as issue 17's table) unless the case says more. */
export function pipelineArgs(c: ScalingCase, out: string): string[] {
  const workers = c.ranks ? ["--cluster", "mpi", "--ranks", String(c.ranks), "--workers-per-rank", String(c.workers)] : ["--workers", String(c.workers)];
  // Issue 17's table measures the plain ensemble's training across workers: the deploy detector's extra groups only multiply the time.
  return ["--detector", "plain", "--folds", "5", "--ensemble", String(c.ensemble ?? 1), "--seed", String(c.seed), ...workers, "--mode", c.mode, ...(c.frequency ? ["--frequency", c.frequency] : []), ...remedyArgs(c), ...(c.microBatches !== undefined ? ["--micro-batches", String(c.microBatches)] : []), "--out", out];
}

/**
 * The remedy flags of a setup, in a fixed order. A setup without a learning-rate rule or a push names Elephas's
 * (--lr-scaling none, --push deltas), so its rows keep their meaning whatever the mode's own rule is (lib/pipeline/mode-rules.ts).
 */
function remedyArgs(c: ScalingSetup): string[] {
  return [
    ...(c.syncEvery !== undefined ? ["--sync-every", String(c.syncEvery)] : []),
    ...(c.batchSize !== undefined ? ["--batch-size", String(c.batchSize)] : []),
    ...(c.averageMoments ? ["--average-moments"] : []),
    ...(c.mode === "synchronous" ? ["--lr-scaling", c.lrScaling ?? "none"] : []),
    ...(c.warmupEpochs ? ["--warmup-epochs", String(c.warmupEpochs)] : []),
    ...(c.mode === "asynchronous" || c.mode === "hogwild" ? ["--push", c.push ?? "deltas"] : []),
  ];
}

/** The remedies in words and as flag parts; both empty for the plain modes (their names stay as they were). */
function remedyParts(c: ScalingSetup): { words: string[]; flags: string[] } {
  const words: string[] = [];
  const flags: string[] = [];
  if (c.syncEvery !== undefined) (words.push(`every ${c.syncEvery} batches`), flags.push(`every-${c.syncEvery}`));
  if (c.batchSize !== undefined) (words.push(`batch ${c.batchSize}`), flags.push(`batch-${c.batchSize}`));
  if (c.averageMoments) (words.push("averaged moments"), flags.push("moments"));
  if (c.lrScaling && c.lrScaling !== "none") {
    words.push(`lr ${c.lrScaling}${c.warmupEpochs ? `, warm-up ${c.warmupEpochs}` : ""}`);
    flags.push(`lr-${c.lrScaling}${c.warmupEpochs ? `-${c.warmupEpochs}` : ""}`);
  }
  if (c.push && c.push !== "deltas") (words.push(`${c.push} pushed to one shared Adam`), flags.push(`push-${c.push}`));
  return { words, flags };
}

interface MetricsShape {
  data: { source: string };
  window: { auc: number | null };
  sequence: { auc: number | null; missedFalls: string[]; falseAlarms: string[]; confusionMatrix: number[][] };
  training: { wallSec: number; averaging?: string };
}

/** One row from a run's metrics.json; refuses synthetic data (the study is about real falls). */
export function rowFromMetrics(c: ScalingCase, metrics: unknown): ScalingRow {
  const m = metrics as MetricsShape;
  if (m.data.source !== "urfd") throw new Error(`the scaling study needs the real URFD data; this run used ${m.data.source}`);
  const [[tn, fp], [fn, tp]] = m.sequence.confusionMatrix;
  return {
    ...c,
    windowAuc: m.window.auc ?? NaN,
    recordingAuc: m.sequence.auc ?? NaN,
    fallsFound: tp,
    falls: tp + fn,
    adlsRight: tn,
    adls: tn + fp,
    wallSec: m.training.wallSec,
    averaging: m.training.averaging ?? "",
  };
}

export function setupLabel(c: ScalingSetup): string {
  const { words } = remedyParts(c);
  if ((c.ensemble ?? 1) > 1) words.push(`${c.ensemble} models a fold`);
  if (c.microBatches !== undefined) words.push(`${c.microBatches} micro-batches`);
  return `${c.frequency ? `${c.mode} per ${c.frequency}` : c.mode}${words.length ? ` (${words.join("; ")})` : ""}`;
}

/** How --modes names a setup: "gradients", "synchronous/epoch", "synchronous/epoch/moments". */
export function setupFlag(c: ScalingSetup): string {
  return [c.frequency ? `${c.mode}/${c.frequency}` : c.mode, ...remedyParts(c).flags].join("/");
}

/** Setups in SCALING_SETUPS order, threads ascending, then rank layouts: rows resumed later still land in place. */
export function tableOrder<T extends ScalingCase>(rows: readonly T[]): T[] {
  const key = (r: ScalingCase) => [SCALING_SETUPS.findIndex((s) => setupFlag(s) === setupFlag(r)), r.ensemble ?? 1, r.microBatches ?? 0, r.ranks ?? 0, r.workers, r.seed];
  return [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    return x.map((v, i) => v - y[i]).find((d) => d !== 0) ?? 0;
  });
}

/** Markdown: one line per setup and worker count, the seeds side by side. */
export function scalingTable(rows: readonly ScalingRow[]): string {
  const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  const keys = [...new Set(tableOrder(rows).map((r) => `${setupLabel(r)}|${workersLabel(r)}`))];
  const head = `| mode | workers | ${seeds.map((s) => `seed ${s}: win AUC, rec AUC, falls, ADLs, wall s`).join(" | ")} |`;
  const sep = `|---|---|${seeds.map(() => "---").join("|")}|`;
  const lines = keys.map((k) => {
    const [label, w] = k.split("|");
    const cells = seeds.map((s) => {
      const r = rows.find((x) => setupLabel(x) === label && workersLabel(x) === w && x.seed === s);
      return r ? `${r.windowAuc.toFixed(4)}, ${r.recordingAuc.toFixed(4)}, ${r.fallsFound}/${r.falls}, ${r.adlsRight}/${r.adls}, ${r.wallSec.toFixed(0)}` : "";
    });
    return `| ${label} | ${w} | ${cells.join(" | ")} |`;
  });
  return [head, sep, ...lines].join("\n");
}

/** Window AUC against workers, one line per setup and seed. */
export function scalingFigure(rows: readonly ScalingRow[]): PlotFigure {
  const groups = new Map<string, ScalingRow[]>();
  // Rank layouts plot at their total thread count, as their own lines.
  for (const r of rows) {
    const k = `${setupLabel(r)}${r.ranks ? ` on ${r.ranks} ranks` : ""}, seed ${r.seed}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return {
    data: [...groups].map(([name, rs]) => {
      const total = (r: ScalingRow) => r.workers * (r.ranks ?? 1);
      const sorted = [...rs].sort((a, b) => total(a) - total(b));
      return { type: "scatter", mode: "lines+markers", name, x: sorted.map(total), y: sorted.map((r) => r.windowAuc) };
    }),
    layout: { title: { text: "5-fold window AUC against worker threads" }, xaxis: { title: { text: "worker threads in all" }, type: "log", tickvals: [1, 2, 4, 8] }, yaxis: { title: { text: "window AUC" } } },
  };
}
