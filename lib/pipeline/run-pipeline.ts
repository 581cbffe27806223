// `npm run pipeline`: load → prepare → model → configure → train → evaluate in one process.
//
// Input is checked before anything is written: every problem with the data or the options is one
// line naming the file (and line) at fault. Then everything is written into the staging folder
// `<out>.partial` (see checkpoint.ts), which is renamed to --out only when the run succeeded:
//   - a failure (an exception anywhere) removes the staging folder: nothing is left behind;
//   - a kill (SIGKILL, power loss; SIGINT/SIGTERM in the CLI) leaves the staging folder with
//     run-state.json, the completed folds and (single-model runs only) the current fold's last epoch checkpoint, and
//     `npm run pipeline -- --resume <out>.partial` continues from there (resumePipeline).
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../backend";
import { DATA_DIR_ENV, resolveData } from "../data/load";
import { DataError } from "../data/errors";
import { makeWindowsWithReport } from "../data/windows";
import { writePartitions, writeWindowSet } from "../data/arrow-io";
import { concatWindowSets, selectWindows, takeWindows } from "../data/split";
import { offGridStride, onStrideGrid } from "../data/stride-grid";
import { gridWindowAuc, unpaddedWindowAuc } from "../detect/unpadded-windows";
import { findProjectRoot } from "../data/project-root";
import { alignToThreshold, evaluateAll, Evaluation } from "../evaluate";
import { ModelSpec } from "../model/spec";
import { DistributedConfig, EpochEnd, FaultInjection } from "../distributed/config";
import { ProgressEventCallback } from "../distributed";
import { writeJsonAtomic, writeFileAtomic } from "../run/atomic";
import { featureWindowSpec, memberOptionsNote, membersPerGroup, optionFlag, PipelineOptions, sameOptionValue, secondWindowStartModels, totalWorkers, UsageError, weightAveragingConfig } from "./options";
import { FrameDataset, WindowSet } from "../types";
import { PreparedSplit, prepareFolds, prepareHoldout } from "./prepare";
import { loadDfCsvInput } from "./dfcsv-input";
import { metaFileFor } from "../data/dfcsv-meta";
import { disposeMembers, FoldResultData, memberSeed, StartModelThresholds, trainFold, TrainFoldOptions, TrainFoldResult } from "./train-fold";
import { combineWords, memberCombine } from "../evaluate/member-combine";
import { mixedTestWindows, mixFold } from "../detect/start-models";
import { DEFAULT_SECOND_WINDOW_LEVEL, joinSecondWindow, secondWindowDir } from "../detect/second-window";
import type { FoldPlan } from "./progress";
import type { FoldOutcome } from "./fold-outcome";

export type { FoldOutcome } from "./fold-outcome";
import { buildReportHtml, kernelSentence } from "./report";
import { Preprocessing, writePreprocessing } from "../export/preprocessing";
import { memberDir } from "../export/ensemble-folder";
import { metricsJson, MetricsJson } from "./metrics-json";
import { ClusterOptions, resolveCluster } from "../cluster/launcher";
import { findMpirun, loadMpi } from "../cluster/mpi";
import { DEFAULT_REFRACTORY_SEC, detectionFigures, replayWindowSet } from "../detect";
import type { DetectionFigures, ReplayedRecording } from "../detect";
import { foldFitWindows } from "./fit-windows";
import { modeAdvice } from "./mode-advice";
import {
  dataDifference, fingerprintData, FoldRecord, loadCheckpoint, loadFoldRecord, pidAlive, readRunState, removeResumeFiles, RunState,
  RUN_STATE_JSON, saveCheckpoint, saveFoldRecord, stagingFor, sweepTemporaries, writeRunState,
} from "./checkpoint";

export interface PipelineHooks {
  log: (line: string) => void;
  /** Warnings about the input (default: log). */
  warn?: (line: string) => void;
  /** plan: the fold's epochs and ensemble members, for bars and time left. */
  onProgress?: (fold: number, folds: number, plan: FoldPlan) => ProgressEventCallback;
  /** Called once the staging folder exists (the CLI uses it to say how to resume after Ctrl-C). */
  onStaging?: (staging: string) => void;
  /** TEST ONLY: make a worker fail while fold `fold` (1-based) trains. */
  faultInjection?: FaultInjection & { fold: number };
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
  if (!fs.existsSync(out)) {
    let up = path.dirname(out);
    while (!fs.existsSync(up)) up = path.dirname(up);
    if (!fs.statSync(up).isDirectory()) throw new Error(`${out}: cannot be created: ${up} is a file, not a folder; choose another --out`);
    return;
  }
  if (!fs.statSync(out).isDirectory()) throw new Error(`${out}: --out exists and is not a folder; choose another --out`);
  if (fs.readdirSync(out).length > 0) throw new Error(`${out}: output folder exists and is not empty; choose another --out`);
}

/** The options as a run stores them: folders absolute, so a resume from elsewhere finds them. */
function absoluteOptions(opts: PipelineOptions, out: string): PipelineOptions {
  return { ...opts, data: opts.data === null ? null : path.resolve(opts.data), out };
}

/** A fresh run. Throws (leaving nothing behind) on bad input, on any failure, and if `<out>.partial` exists. */
export async function runPipeline(opts: PipelineOptions, hooks: PipelineHooks): Promise<PipelineOutcome> {
  const started = Date.now();
  const out = path.resolve(opts.out ?? defaultOut());
  const options = absoluteOptions(opts, out);
  checkOutFree(out);
  const staging = stagingFor(out);
  refuseExistingStaging(staging);
  checkCluster(options);
  const prep = prepareInput(options, hooks);
  const backend = await initBackend();
  hooks.log(`backend: ${backend.name}${backend.skipped.length ? ` (fell back: ${backend.skipped.map((s) => s.name).join(", ")} unavailable)` : ""}`);
  const now = new Date().toISOString();
  const state: RunState = {
    format: "fall-detection-run-state", version: 1, pid: process.pid, options, data: fingerprintData(prep.ds.provenance),
    folds: prep.splits.length, completedFolds: [], current: null, startedAt: now, updatedAt: now,
  };
  createStaging(staging, state);
  hooks.onStaging?.(staging);
  return removeStagingOnFailure(staging, () => execute(staging, state, prep, backend.name, hooks, started));
}

/**
 * Continue the interrupted run whose staging folder is `dir` (or `dir.partial`): its options come
 * from run-state.json (`given` options must agree with them), completed folds are read back, the
 * current fold restarts after its last checkpointed epoch. The completed folds' records and the checkpoint are
 * checked before the run is taken over, and a failure after that keeps the folder (it holds work an earlier process
 * did, which a fresh run's cleanup must not throw away): the error says so, and --resume can go on once the cause is fixed.
 */
export async function resumePipeline(dir: string, given: Partial<PipelineOptions>, hooks: PipelineHooks): Promise<PipelineOutcome> {
  const started = Date.now();
  const staging = findStaging(path.resolve(dir));
  const state = readRunState(staging);
  if (state.pid !== process.pid && pidAlive(state.pid)) {
    throw new Error(`${staging}: process ${state.pid} is still writing this run; wait for it or stop it first`);
  }
  const stored = state.options;
  for (const [key, value] of Object.entries(given) as [keyof PipelineOptions, PipelineOptions[keyof PipelineOptions]][]) {
    const mine = key === "data" || key === "out" ? (value === null ? null : path.resolve(String(value))) : value;
    if (!sameOptionValue(mine, stored[key])) {
      const text = (v: unknown): string => (v === null ? "none" : String(v));
      throw new UsageError(`${optionFlag(key)} ${text(value)} conflicts with the interrupted run's ${text(stored[key])} (${path.join(staging, RUN_STATE_JSON)}); drop it to resume`);
    }
  }
  const out = stored.out!;
  checkOutFree(out);
  checkCluster(stored);
  const prep = prepareInput(stored, hooks);
  const changed = dataDifference(state.data, fingerprintData(prep.ds.provenance));
  if (changed) throw new Error(`${path.join(staging, RUN_STATE_JSON)}: cannot resume: ${changed}`);
  if (prep.splits.length !== state.folds) throw new Error(`${path.join(staging, RUN_STATE_JSON)}: cannot resume: ${state.folds} folds then, ${prep.splits.length} now`);
  checkResumable(staging, state, prep);
  const backend = await initBackend();
  hooks.log(`backend: ${backend.name}`);
  state.pid = process.pid;
  return keepStagingOnFailure(staging, () => {
    for (const f of sweepTemporaries(staging)) hooks.log(`removed ${f} (left by an interrupted write)`);
    writeRunState(staging, state);
    hooks.onStaging?.(staging);
    const where = state.current ? `fold ${state.current.fold} after epoch ${state.current.lastEpoch + 1}/${stored.epochs}` : "the start of the next fold";
    hooks.log(`resuming ${staging}: ${state.completedFolds.length}/${state.folds} fold(s) completed, continuing at ${where}`);
    return execute(staging, state, prep, backend.name, hooks, started);
  });
}

function findStaging(dir: string): string {
  if (fs.existsSync(path.join(dir, RUN_STATE_JSON))) return dir;
  const partial = stagingFor(dir);
  if (fs.existsSync(path.join(partial, RUN_STATE_JSON))) return partial;
  if (!fs.existsSync(dir)) throw new UsageError(`--resume ${dir}: no such folder (give the staging folder <out>.partial of an interrupted run)`);
  throw new UsageError(`--resume ${dir}: holds no ${RUN_STATE_JSON}: not the staging folder of an interrupted run`);
}

function refuseExistingStaging(staging: string): void {
  if (!fs.existsSync(staging)) return;
  let pid: number | null = null;
  try {
    pid = readRunState(staging).pid;
  } catch {
    /* an unreadable state: still not ours to remove */
  }
  if (pid !== null && pidAlive(pid)) throw new Error(`${staging}: another run (process ${pid}) is writing to this --out; wait for it or choose another --out`);
  throw new Error(`${staging}: holds an interrupted run; continue it with --resume ${staging}, or delete that folder to start over`);
}

/** Create `<out>.partial` holding run-state.json in one rename, so it never exists without its state. */
function createStaging(staging: string, state: RunState): void {
  fs.mkdirSync(path.dirname(staging), { recursive: true });
  const init = `${staging}-init-${process.pid}`;
  fs.rmSync(init, { recursive: true, force: true });
  try {
    fs.mkdirSync(init);
    writeRunState(init, state);
    fs.renameSync(init, staging);
  } catch (err) {
    fs.rmSync(init, { recursive: true, force: true });
    if (fs.existsSync(staging)) refuseExistingStaging(staging); // another run won the race
    throw err;
  }
}

/** Every completed fold's record and the current fold's checkpoint, read and checked as the resumed run will read them. */
// The files are read again when the run uses them: a few hundred KB once a resume, against losing the run to a bad one.
function checkResumable(staging: string, state: RunState, prep: PreparedInput): void {
  for (const k of state.completedFolds) {
    const split = prep.splits[k - 1] ? evaluatedSplit(prep, k - 1) : undefined;
    if (!split) throw new Error(`${path.join(staging, RUN_STATE_JSON)}: fold ${k} is recorded as completed but the run has ${prep.splits.length} fold(s)`);
    completedFoldRecord(staging, state, k, split);
  }
  if (state.current) loadCheckpoint(staging, state.current, state.current.weightCount);
}

/** A completed fold's record, checked against the split and the run's workers and members. */
function completedFoldRecord(staging: string, state: RunState, k: number, split: PreparedSplit): FoldRecord {
  const startModels = state.options.startModels > 0;
  const secondWindow = state.options.secondWindow !== null;
  return loadFoldRecord(staging, k, { trainCount: split.train.count, testCount: split.test.count, workers: totalWorkers(state.options), members: membersPerGroup(state.options) * (startModels ? 2 : 1) * (secondWindow ? 2 : 1), startModels, secondWindow });
}

/** A resumed run that fails leaves its folder as an interrupted run, and says so. */
async function keepStagingOnFailure<T>(staging: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error && !(err instanceof UsageError)) err.message += ` (the interrupted run is kept in ${staging}: --resume it again once this is fixed)`;
    throw err;
  }
}

async function removeStagingOnFailure<T>(staging: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

type WindowSettings = { T: number; stride: number; withDiffs: boolean; diffLags?: number[]; padStarts?: number };

interface PreparedInput {
  ds: FrameDataset;
  windowOptions: WindowSettings;
  splits: PreparedSplit[];
  spec: ModelSpec;
  config: DistributedConfig;
  /** --start-models: the start models' windows and splits (the same folds), and each fold's evaluated stream. */
  start?: StartInput;
  /** --second-window: the second detector's input (its windows, splits and start models; the same folds), and its options. */
  second?: { options: PipelineOptions; prep: PreparedInput };
}

interface StartInput {
  windowOptions: WindowSettings;
  splits: PreparedSplit[];
  /** Per fold: the start models' windows (fewer than T real frames) then the main ensemble's full test windows. */
  tests: WindowSet[];
}

/** Fold `i`'s split as it is evaluated: with --start-models its test side is the mixed stream (start windows, then full ones). */
function evaluatedSplit(prep: PreparedInput, i: number): PreparedSplit {
  return prep.start ? { ...prep.splits[i], test: prep.start.tests[i] } : prep.splits[i];
}

/**
 * Load, window and split, checking everything a run needs; nothing is written. Then, the input being good, what is
 * known about the update rule at this many workers (a bad run keeps its one line).
 */
function prepareInput(opts: PipelineOptions, hooks: PipelineHooks): PreparedInput {
  const warn = hooks.warn ?? hooks.log;
  const prep = opts.format === "dfcsv" ? prepareDfCsvInput(opts, hooks.log, warn) : prepareUrfdInput(opts, hooks.log, warn);
  const advice = modeAdvice(opts);
  if (advice) warn(advice);
  return prep;
}

function prepareUrfdInput(opts: PipelineOptions, log: (l: string) => void, warn: (l: string) => void): PreparedInput {
  const envDir = process.env[DATA_DIR_ENV];
  checkDataFolder(opts.data ?? (envDir ? envDir : null));
  const ds = resolveData({ dir: opts.data ?? undefined, synthetic: opts.synthetic, seed: opts.seed });
  log(`data: ${ds.provenance.note}`);
  const memberNote = memberOptionsNote(opts);
  if (memberNote) log(memberNote);
  const prep = windowedInput(ds, opts, log, warn);
  if (opts.secondWindow === null) return prep;
  return { ...prep, second: secondInput(ds, prep, opts, log, warn) };
}

/** --second-window: the same recordings windowed N frames long (and its start models padded to score the same frames), on the same folds. */
function secondInput(ds: FrameDataset, first: PreparedInput, opts: PipelineOptions, log: (l: string) => void, warn: (l: string) => void): { options: PipelineOptions; prep: PreparedInput } {
  const N = opts.secondWindow!;
  const options: PipelineOptions = { ...opts, window: N, startModels: secondWindowStartModels(opts, N), secondWindow: null };
  const tested = new Set(first.splits.flatMap((s) => recordingIds(s.test)));
  const used = ds.sequences.filter((q) => tested.has(q.id));
  const short = used.find((q) => q.length < N);
  // A recording the first detector scores but the second has no window for would leave the folds unequal.
  if (short) throw new DataError(dataName(ds), null, `--second-window ${N}: ${sequenceLocation(ds, short.id)}: sequence ${short.id} has ${short.length} frames, fewer than ${N}: both detectors must score every recording; give a --second-window of at most ${Math.min(...used.map((q) => q.length))}`);
  const prep = windowedInput(ds, options, (l) => log(`second window (${N} frames): ${l}`), warn);
  prep.splits.forEach((s, i) => {
    if (recordingIds(s.test).join(",") !== recordingIds(first.splits[i].test).join(",")) throw new Error(`--second-window ${N}: fold ${i + 1}: the second detector would test other recordings than the first`);
  });
  return { options, prep };
}

/** The recordings windowed, split and (with --start-models) padded for the start models: one detector's input. */
function windowedInput(ds: FrameDataset, opts: PipelineOptions, log: (l: string) => void, warn: (l: string) => void): PreparedInput {
  const windowOptions = { T: opts.window, stride: opts.scoreStride ?? opts.stride, withDiffs: true, diffLags: [...opts.diffLags], ...(opts.padStarts > 0 ? { padStarts: opts.padStarts } : {}) };
  const windows = windowsOf(ds, windowOptions, warn);
  log(`windows: ${windows.count} of [T=${windows.T}, F=${windows.F}]`);
  const recordings = new Set(windows.seq).size;
  const need = opts.folds ?? 2;
  if (recordings < need) {
    throw new DataError(dataName(ds), null, `${recordings} recording(s) give windows, ${opts.folds ? `--folds ${opts.folds} needs` : "a hold-out split needs"} at least ${need}`);
  }
  const splits = splitFor(windows, opts, ds, true);
  const spec = featureWindowSpec(opts, opts.model, windows, opts.units);
  const start = opts.startModels > 0 ? startInput(ds, windows, windowOptions, splits, opts) : undefined;
  if (start) {
    const startWindows = start.tests.reduce((a, t, i) => a + t.count - splits[i].test.count, 0);
    log(`start models: the first frame repeated ${opts.startModels} times in front; they alone score a stream's windows of ${windows.T - opts.startModels}..${windows.T - 1} real frames (${startWindows} test windows), full windows get both ensembles combined`);
  }
  return { ds, windowOptions, splits, spec, config: configFor(opts), ...(start ? { start } : {}) };
}

/** The start models' windows (only the recordings the main ensemble has), split on the main folds, and each fold's evaluated stream. */
function startInput(ds: FrameDataset, main: WindowSet, mainOptions: WindowSettings, mainSplits: PreparedSplit[], opts: PipelineOptions): StartInput {
  const windowOptions = { ...mainOptions, padStarts: opts.startModels };
  const all = makeWindowsWithReport(ds, windowOptions).windows;
  // A recording shorter than T has no full window: left out of both groups (windowsOf warned), so the folds are the same.
  const ids = new Set(Array.from(main.seq, (s) => main.sequenceIds[s]));
  const windows = selectWindows(all, all.sequenceIds.flatMap((id, s) => (ids.has(id) ? [s] : [])));
  const splits = splitFor(windows, opts, ds, true);
  const tests = splits.map((s, i) => {
    if (recordingIds(s.test).join(",") !== recordingIds(mainSplits[i].test).join(",")) throw new Error(`--start-models: fold ${i + 1}: the start models would test other recordings than the main ensemble`);
    return mixedTestWindows(mainSplits[i].test, s.test, ds).windows;
  });
  return { windowOptions, splits, tests };
}

/** The recordings a window set holds windows of, sorted: two groups' splits are the same folds when these agree. */
function recordingIds(ws: WindowSet): string[] {
  return [...new Set(Array.from(ws.seq, (s) => ws.sequenceIds[s]))].sort();
}

/** `--format dfcsv`: the file's token rows, the original preset, no scaling (tokens are Embedding ids). */
function prepareDfCsvInput(opts: PipelineOptions, log: (l: string) => void, warn: (l: string) => void): PreparedInput {
  if (opts.data === null) throw new UsageError("--format dfcsv needs --data FILE (a df.csv; make one with npm run derive-dfcsv)");
  const { ds, windows, meta, grouped } = loadDfCsvInput(opts.data);
  log(`data: ${ds.provenance.note}`);
  if (!grouped) warn(`warning: ${opts.data}: no sidecar ${path.basename(metaFileFor(opts.data))}: rows are split at random; overlapping windows of one recording then sit on both sides and the scores are optimistic`);
  log(`windows: ${windows.count} rows of [T=${windows.T}] tokens (--window/--stride apply to --format urfd only)`);
  const need = opts.folds ?? 2;
  if (ds.sequences.length < need) throw new DataError(dataName(ds), null, `${ds.sequences.length} group(s), ${opts.folds ? `--folds ${opts.folds} needs` : "a hold-out split needs"} at least ${need}`);
  const splits = splitFor(windows, opts, ds, false);
  const spec: ModelSpec = { type: "original", options: { kind: opts.model, timesteps: windows.T, seed: opts.seed } };
  return { ds, windowOptions: { T: windows.T, stride: meta?.stride ?? 1, withDiffs: false }, splits, spec, config: configFor(opts) };
}

/** K folds or one hold-out split by recording (scaled, or not for token ids), each with enough windows for every worker. */
function splitFor(windows: WindowSet, opts: PipelineOptions, ds: FrameDataset, scale: boolean): PreparedSplit[] {
  // --score-stride: the scaler sees the windows the models fit on, so they train as a run without it.
  const gridScaler = opts.scoreStride !== null ? { scalerOn: (train: WindowSet) => takeWindows(train, onStrideGrid(train, ds, opts.stride)) } : {};
  let splits: PreparedSplit[];
  try {
    splits = opts.folds
      ? prepareFolds(windows, { k: opts.folds, seed: opts.seed, scale, ...gridScaler })
      : [prepareHoldout(windows, { testFraction: HOLDOUT_TEST_FRACTION, seed: opts.seed, scale, ...gridScaler })];
  } catch (err) {
    throw new DataError(dataName(ds), null, (err as Error).message);
  }
  for (const [i, s] of splits.entries()) {
    const which = splits.length > 1 ? `fold ${i + 1} of ${splits.length}` : "the hold-out split";
    if (s.train.count < totalWorkers(opts)) {
      throw new DataError(dataName(ds), null, `--workers ${opts.workers} is more than the ${s.train.count} training windows of ${which}; use fewer workers or a smaller --window / --stride`);
    }
    // Each fold's threshold is chosen on its training recordings: it needs falls and daily activities there.
    let falls = 0;
    for (let w = 0; w < s.train.count; w++) falls += s.train.y[w];
    if (falls === 0 || falls === s.train.count) {
      const recordings = (fall: boolean) => ds.sequences.filter((q) => q.isFall === fall).length;
      const kind = falls === 0 ? `no fall window (the data has ${recordings(true)} fall recording(s))` : `no daily-activity window (the data has ${recordings(false)} daily-activity recording(s))`;
      throw new DataError(dataName(ds), null, `${which} would train on ${kind}: a fold's threshold needs both; use fewer --folds or add recordings`);
    }
  }
  return splits;
}

function configFor(opts: PipelineOptions): DistributedConfig {
  const numWorkers = opts.cluster === "mpi" ? (opts.workersPerRank ?? 1) : opts.workers;
  return { ...weightAveragingConfig(opts), numWorkers, batchSize: opts.batchSize, seed: opts.seed };
}

/** The MPI job a --cluster mpi run trains on, or null for threads. */
export function clusterFor(opts: PipelineOptions): ClusterOptions | null {
  if (opts.cluster !== "mpi") return null;
  return {
    kind: "mpi", ranks: opts.ranks ?? 1, workersPerRank: opts.workersPerRank ?? 1,
    ...(opts.hostfile ? { hostfile: opts.hostfile } : {}),
    ...(opts.launchAgent ? { launchAgent: opts.launchAgent } : {}),
    ...(opts.mpiNetwork ? { network: opts.mpiNetwork } : {}),
    ...(opts.shareDir ? { sharedDir: opts.shareDir } : {}),
  };
}

/** --cluster mpi: the hostfile, ranks and slots, the MPI binding and mpirun are checked before anything is written. */
function checkCluster(opts: PipelineOptions): void {
  const cluster = clusterFor(opts);
  if (!cluster) return;
  resolveCluster(cluster);
  loadMpi();
  findMpirun();
}

/** A named data folder must be a readable folder (checked here: a folder we cannot list would look empty). */
function checkDataFolder(dir: string | null): void {
  if (dir === null) return;
  const abs = path.resolve(dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(abs, null, code === "ENOENT" ? "data folder not found" : `cannot open the data folder (${code})`);
  }
  if (!stat.isDirectory()) throw new DataError(abs, null, "is not a folder (the data folder holds urfall-cam0-falls.csv and urfall-cam0-adls.csv)");
  try {
    fs.accessSync(abs, fs.constants.R_OK | fs.constants.X_OK);
    fs.readdirSync(abs);
  } catch (err) {
    throw new DataError(abs, null, `cannot read the data folder (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function dataName(ds: FrameDataset): string {
  return ds.provenance.files.length ? ds.provenance.files.join(" and ") : "synthetic data";
}

/** file:line where a sequence starts (URFD files list falls first, then ADLs, one row a line). */
function sequenceLocation(ds: FrameDataset, id: string): string {
  const [falls, adls] = ds.provenance.files;
  const s = ds.sequences.find((q) => q.id === id)!;
  if (!falls || !adls) return `synthetic data, sequence ${id}`;
  const fallRows = ds.sequences.filter((q) => q.isFall).reduce((a, q) => a + q.length, 0);
  return s.isFall ? `${falls}:${s.start + 1}` : `${adls}:${s.start - fallRows + 1}`;
}

function windowsOf(ds: FrameDataset, w: { T: number; stride: number; withDiffs: boolean; diffLags?: number[]; padStarts?: number }, warn: (l: string) => void): WindowSet {
  const longest = Math.max(0, ...ds.sequences.map((s) => s.length));
  if (longest < w.T) {
    throw new DataError(dataName(ds), null, `no window: all ${ds.sequences.length} sequences are shorter than --window ${w.T} (the longest has ${longest} frames)`);
  }
  const { windows, skipped } = makeWindowsWithReport(ds, w);
  for (const id of skipped) {
    const len = ds.sequences.find((s) => s.id === id)!.length;
    warn(`warning: ${sequenceLocation(ds, id)}: sequence ${id} has ${len} frames, fewer than --window ${w.T}: left out (no window)`);
  }
  let positives = 0;
  for (let i = 0; i < windows.count; i++) positives += windows.y[i];
  if (positives === 0 || positives === windows.count) {
    const [falls, adls] = ds.provenance.files;
    const file = (positives === 0 ? falls : adls) ?? dataName(ds);
    const what = positives === 0 ? "no fall window (no fall recording long enough with a falling segment, label 0)" : "only fall windows (no daily-activity recording long enough)";
    throw new DataError(file, null, `${what} among ${windows.count} windows of --window ${w.T} --stride ${w.stride}: a detector needs both classes`);
  }
  return windows;
}

async function execute(staging: string, state: RunState, prep: PreparedInput, backend: string, hooks: PipelineHooks, started: number): Promise<PipelineOutcome> {
  const opts = state.options;
  const folds: FoldOutcome[] = [];
  let kernelLogged = false;
  for (const [i, split] of prep.splits.entries()) {
    const fold: FoldJob = { staging, state, prep, hooks, k: i + 1, split, tag: prep.splits.length > 1 ? `fold ${i + 1}/${prep.splits.length}` : "hold-out split" };
    if (state.completedFolds.includes(fold.k)) {
      folds.push(readCompletedFold(fold));
      continue;
    }
    folds.push(await trainFoldAndSave(fold, !kernelLogged));
    kernelLogged = true;
  }
  const pooled = poolFolds(prep.ds, folds, opts);
  const metrics = metricsJson({ ds: prep.ds, options: opts, backend, pooled: pooled.evaluation, folds, kfold: opts.folds !== null, wallSec: (Date.now() - started) / 1000, detection: pooled.detection, ...(pooled.fullWindows ? { windowUnpadded: pooled.fullWindows } : {}), ...(pooled.gridWindows ? { windowOnGrid: pooled.gridWindows } : {}) });
  writeJsonAtomic(path.join(staging, "metrics.json"), metrics);
  writeFileAtomic(
    path.join(staging, "report.html"),
    buildReportHtml({ ds: prep.ds, metrics, folds, pooled: pooled.evaluation, pooledWindows: pooled.windows, pooledScores: pooled.scores, replayed: pooled.replayed }),
  );
  return publishStaging(staging, opts.out!, metrics);
}

/** One fold of a run: where it writes, what it trains on, how it is named in the log. */
interface FoldJob {
  staging: string;
  state: RunState;
  prep: PreparedInput;
  hooks: PipelineHooks;
  /** 1-based. */
  k: number;
  split: PreparedSplit;
  tag: string;
}

/** A fold finished before an interruption: read back, not retrained. */
function readCompletedFold({ staging, state, prep, hooks, k, tag }: FoldJob): FoldOutcome {
  const split = evaluatedSplit(prep, k - 1);
  const rec = completedFoldRecord(staging, state, k, split);
  hooks.log(`${tag}: completed before the interruption, not retrained (read back from ${path.join(staging, "resume", `fold-${k}.json`)})`);
  return { split, result: rec, evaluation: evaluateAll(rec.testProbs, split.test, rec.threshold) };
}

/** Train one fold (resuming from its epoch checkpoint if there is one), log its result, save its models and record it done. */
async function trainFoldAndSave(fold: FoldJob, logKernel: boolean): Promise<FoldOutcome> {
  const { hooks, prep, tag, k } = fold;
  const opts = fold.state.options;
  const groups = (prep.start ? 2 : 1) * (prep.second ? 2 : 1);
  const progress = hooks.onProgress ? hooks.onProgress(k, prep.splits.length, { epochs: opts.epochs, members: membersPerGroup(opts) * groups }) : undefined;
  const trained: TrainFoldResult[] = [];
  // The members are freed once saved, or when the fold fails after training them.
  try {
    const first = await trainDetector(fold, progress, trained);
    const second = prep.second ? await trainDetector(secondFold(fold), progress, trained) : null;
    const data = second ? joinedResult(fold, first.data, second.data) : first.data;
    const split = evaluatedSplit(prep, k - 1);
    const evaluation = evaluateAll(data.testProbs, split.test, data.threshold);
    if (logKernel) hooks.log(kernelSentence({ kernel: first.main.fit.trainingKernel, kernelNote: first.main.fit.trainingKernelNote }));
    const thresholdWords = (d: FoldResultData) => d.startModels
      ? `thresholds ${d.startModels.fullThreshold.toFixed(3)} (all ${membersPerGroup(opts) * 2} models, full windows) and ${d.startModels.startThreshold.toFixed(3)} (start models, first windows)`
      : `threshold ${d.threshold.toFixed(3)}`;
    const thresholds = second ? `${thresholdWords(first.data)}; second window: ${thresholdWords(second.data)}; a frame alarms when both pass` : thresholdWords(data);
    hooks.log(
      `${tag}: ${thresholds} (training data); window AUC ${evaluation.window.auc?.toFixed(3) ?? "n/a"}, ` +
        `sequences ${evaluation.sequence.confusionMatrix[1][1]}/${evaluation.sequence.support.positive} falls found, ` +
        `${evaluation.sequence.confusionMatrix[0][0]}/${evaluation.sequence.support.negative} ADLs right`,
    );
    const secondDir = second ? secondWindowDir(second.fold.state.options.window) : null;
    await saveFoldModels(fold, first.main, first.start && first.data.startModels ? { result: first.start, thresholds: first.data.startModels } : null, secondDir);
    if (second) await saveFoldModels(second.fold, second.main, second.start && second.data.startModels ? { result: second.start, thresholds: second.data.startModels } : null, null, secondDir!);
    recordFoldDone(fold, { fold: k, ...data });
    return { split, result: data, evaluation };
  } finally {
    for (const t of trained) disposeMembers(t);
  }
}

/** One detector of fold k: its main ensemble, then its start models (the fold's members land in `trained` as they finish). */
async function trainDetector(fold: FoldJob, progress: ProgressEventCallback | undefined, trained: TrainFoldResult[]): Promise<{ fold: FoldJob; main: TrainFoldResult; start: TrainFoldResult | null; data: FoldResultData }> {
  const main = await trainFoldResumable(fold, progress);
  trained.push(main);
  const start = fold.prep.start ? await trainStartModels(fold, progress) : null;
  if (start) trained.push(start);
  return { fold, main, start, data: start ? mixedResult(fold, main, start) : foldData(main) };
}

/** Fold k of the --second-window detector: its own windows, options and splits (the run's folds, staging and state). */
function secondFold(fold: FoldJob): FoldJob {
  const second = fold.prep.second!;
  return { ...fold, state: { ...fold.state, options: second.options }, prep: second.prep, split: second.prep.splits[fold.k - 1], tag: `${fold.tag} (second window, ${second.options.window} frames)` };
}

/** The two detectors of a --second-window fold as one: each evaluated window's aligned scores joined by --second-window-rule. */
function joinedResult({ state, prep, k, tag }: FoldJob, first: FoldResultData, second: FoldResultData): FoldResultData {
  const testProbs = joinSecondWindow(
    { windows: evaluatedSplit(prep, k - 1).test, scores: first.testProbs },
    { windows: evaluatedSplit(prep.second!.prep, k - 1).test, scores: second.testProbs },
    tag,
    state.options.secondWindowRule,
    state.options.secondWindowHold,
    state.options.secondWindowLevel,
  );
  // The threshold stays the first detector's (0.5, aligned); its training-side scores stay its own (the second's are on other windows).
  return { ...first, testProbs, memberFits: [...first.memberFits, ...second.memberFits], ...(second.startModels ? { secondWindow: second.startModels } : {}) };
}

/** The plain data of a trained fold (what the record, metrics.json and the report keep). */
function foldData(r: TrainFoldResult): FoldResultData {
  return { fit: r.fit, memberFits: r.memberFits, threshold: r.threshold, trainProbs: r.trainProbs, testProbs: r.testProbs };
}

/** The start models of fold k, trained on their own (padded) split after the main ensemble. */
async function trainStartModels({ state, prep, hooks, k, tag }: FoldJob, progress: ProgressEventCallback | undefined): Promise<TrainFoldResult> {
  const opts = state.options;
  const start = prep.start!;
  const split = start.splits[k - 1];
  const fit = foldFitWindows(opts, prep.ds, split, start.windowOptions, k);
  hooks.log(`${tag}: start models (first frame repeated ${opts.startModels} times in front): training on ${split.train.count} windows${fit ? ` (${fit.note})` : ""}, testing on ${split.test.count}`);
  const cluster = clusterFor(opts);
  return trainFold(split.train, split.test, {
    spec: prep.spec, config: prep.config, epochs: opts.epochs, smooth: opts.smooth, thresholdMidpoint: opts.thresholdMidpoint, members: opts.ensemble,
    ...secondKind(prep.spec, opts),
    averageEpochs: opts.averageEpochs,
    ...(fit ? { fitWindows: fit.windows } : {}),
    ...(cluster ? { cluster } : {}),
    ...(progress ? { onProgress: progress } : {}),
  });
}

/** Both groups of a --start-models fold as one detector: scores aligned to their thresholds, so `threshold` is 0.5. */
function mixedResult({ state, prep, k, tag }: FoldJob, main: TrainFoldResult, start: TrainFoldResult): FoldResultData {
  const mainSplit = prep.splits[k - 1];
  const startSplit = prep.start!.splits[k - 1];
  const mixed = mixFold(
    { train: mainSplit.train, test: mainSplit.test, trainMembers: main.trainMembers, testMembers: main.testMembers },
    { train: startSplit.train, test: startSplit.test, trainMembers: start.trainMembers, testMembers: start.testMembers },
    prep.ds,
    { startThreshold: start.threshold, midpoint: state.options.thresholdMidpoint, what: tag, combine: memberCombine(state.options.combine) },
  );
  return {
    fit: main.fit, memberFits: [...main.memberFits, ...start.memberFits], threshold: 0.5, trainProbs: mixed.trainScores, testProbs: mixed.testScores,
    startModels: { fullThreshold: mixed.fullThreshold, startThreshold: mixed.startThreshold },
  };
}

type TrainedFold = Awaited<ReturnType<typeof trainFold>>;

/** trainFold with epoch checkpoints, resumed from the fold's last checkpoint; the merged history covers every epoch. */
async function trainFoldResumable({ staging, state, prep, hooks, k, split, tag }: FoldJob, progress: ProgressEventCallback | undefined): Promise<TrainedFold> {
  const opts = state.options;
  let resume: { initialEpoch: number; weights: Float32Array } | undefined;
  const merged: { loss: number[]; acc: number[] } = { loss: [], acc: [] };
  if (state.current?.fold === k) {
    const c = state.current;
    resume = { initialEpoch: c.lastEpoch + 1, weights: loadCheckpoint(staging, c, c.weightCount) };
    merged.loss.push(...c.merged.loss);
    merged.acc.push(...c.merged.acc);
    hooks.log(`${tag}: resuming after epoch ${c.lastEpoch + 1}/${opts.epochs} from ${path.join(staging, c.checkpoint)} (weights restored; each worker's Adam state starts afresh)`);
  }
  const seeds = Array.from({ length: opts.ensemble }, (_, m) => memberSeed(opts.seed, m + 1)).join(", ");
  const members = opts.secondModel !== null
    ? `, ${opts.ensemble} ${opts.model} and ${opts.ensemble} ${opts.secondModel} model(s) from seed(s) ${seeds}, combined by their ${combineWords(opts.combine)}`
    : opts.ensemble > 1 ? `, ${opts.ensemble} models from seeds ${seeds}${opts.combine === "logit-mean" ? ", combined by their mean log-odds" : ""}` : "";
  const averaged = opts.averageEpochs > 0 ? `, ${membersPerGroup(opts) > 1 ? "each model's" : "the"} weights averaged over its last ${opts.averageEpochs} epochs` : "";
  const fit = foldFitWindows(opts, prep.ds, split, prep.windowOptions, k);
  const fitWindows = fit?.windows ?? null;
  const fitNote = fit ? ` (${fit.note})` : "";
  hooks.log(`${tag}: training on ${split.train.count} windows${fitNote}${members}${averaged}, testing on ${split.test.count}`);
  const previous = { loss: [...merged.loss], acc: [...merged.acc] };
  // Checkpoint every epoch but the last: the finished fold is saved whole right after it.
  // An ensemble fold, one whose weights are averaged over epochs, or one with start models is not checkpointed: an interrupted one restarts.
  const onEpochEnd = (end: EpochEnd): void => {
    merged.loss.push(end.loss);
    merged.acc.push(end.acc);
    if (end.epoch < opts.epochs - 1) saveCheckpoint(staging, state, k, end.epoch, end.weights, merged);
  };
  const { fold: faultFold, ...fault } = hooks.faultInjection ?? { fold: 0 };
  const cluster = clusterFor(opts);
  if (cluster && k === 1 && !state.completedFolds.length) hooks.log(`cluster: MPI job of ${cluster.ranks} rank(s) × ${cluster.workersPerRank} thread(s)${cluster.hostfile ? ` on the hosts of ${cluster.hostfile}` : " on this machine"}; epoch checkpoints from rank 0's weights`);
  let result: TrainedFold;
  try {
    result = await trainFold(split.train, split.test, {
      spec: prep.spec, config: prep.config, epochs: opts.epochs, smooth: opts.smooth, thresholdMidpoint: opts.thresholdMidpoint, members: opts.ensemble,
      ...secondKind(prep.spec, opts),
      ...(fitWindows ? { fitWindows } : {}),
      ...(membersPerGroup(opts) === 1 && opts.averageEpochs === 0 && opts.startModels === 0 ? { onEpochEnd } : {}),
      averageEpochs: opts.averageEpochs,
      ...(cluster ? { cluster } : {}),
      ...(resume ? { resume } : {}),
      ...(progress ? { onProgress: progress } : {}),
      ...(faultFold === k ? { faultInjection: fault as FaultInjection } : {}),
    });
  } catch (err) {
    if (resume && err instanceof RangeError && /setFlatWeights/.test(err.message)) {
      throw new Error(`${path.join(staging, state.current!.checkpoint)}: does not fit the model (${err.message})`);
    }
    throw err;
  }
  result.fit.merged.loss = [...previous.loss, ...result.fit.merged.loss];
  result.fit.merged.acc = [...previous.acc, ...result.fit.merged.acc];
  return result;
}

/** trainFold's options for --second-model and --combine: the same spec with the other recurrent type. */
function secondKind(spec: ModelSpec, opts: PipelineOptions): Pick<TrainFoldOptions, "secondSpec" | "combine"> {
  if (opts.secondModel !== null && spec.type !== "rnn") throw new Error("--second-model adds feature-window (LSTM/GRU) models only");
  return {
    ...(opts.secondModel !== null && spec.type === "rnn" ? { secondSpec: { type: "rnn", options: { ...spec.options, kind: opts.secondModel } } } : {}),
    ...(opts.combine !== "mean" ? { combine: opts.combine } : {}),
  };
}

/** The subfolder of a --start-models model folder (and of its Arrow folder) holding the start models. */
const START_MODELS_DIR = "start";

/**
 * The fold's model folder(s) with their preprocessing.json, and its Arrow partitions. With start models: the main
 * ensemble's folder names them (preprocessing.json's startModels) and carries the full windows' threshold; the start
 * models' own folder, a complete detector of its own, carries theirs. With --second-window the first detector's folder
 * names (preprocessing.json's secondWindow) the subfolder `sub` the second detector is saved into, whole.
 */
async function saveFoldModels(
  { staging, state, prep, k, split }: FoldJob, result: TrainedFold, start: { result: TrainedFold; thresholds: StartModelThresholds } | null,
  secondWindow: string | null, sub?: string,
): Promise<void> {
  const opts = state.options;
  const kfold = prep.splits.length > 1;
  const dir = path.join(staging, kfold ? path.join("models", `fold-${k}`) : "model", sub ?? "");
  const arrowDir = path.join(staging, kfold ? path.join("arrow", `fold-${k}`) : "arrow", sub ?? "");
  const main = {
    ...(start ? { threshold: start.thresholds.fullThreshold, startModels: START_MODELS_DIR } : { threshold: result.threshold }),
    ...(secondWindow ? { secondWindow: { dir: secondWindow, rule: opts.secondWindowRule, ...(opts.secondWindowHold > 0 ? { hold: opts.secondWindowHold } : {}), ...(opts.secondWindowLevel !== DEFAULT_SECOND_WINDOW_LEVEL ? { level: opts.secondWindowLevel } : {}) } } : {}),
  };
  // Both groups' thresholds were chosen on their members combined this way: the detector must combine them alike.
  const combine = opts.combine !== "mean" ? { combine: opts.combine } : {};
  await saveGroup(dir, result, { scaler: split.scaler, window: prep.windowOptions, smooth: opts.smooth, ...main, ...combine });
  writePartitions(arrowDir, split.train, opts.workers, "train");
  writeWindowSet(path.join(arrowDir, "test.arrow"), split.test);
  if (start) {
    const s = prep.start!.splits[k - 1];
    await saveGroup(path.join(dir, START_MODELS_DIR), start.result, { scaler: s.scaler, window: prep.start!.windowOptions, smooth: opts.smooth, threshold: start.thresholds.startThreshold, ...combine });
    writePartitions(path.join(arrowDir, START_MODELS_DIR), s.train, opts.workers, "train");
    writeWindowSet(path.join(arrowDir, START_MODELS_DIR, "test.arrow"), s.test);
  }
}

/** One ensemble's models, each a complete model folder (member-N when there are several) sharing one preprocessing.json. */
async function saveGroup(dir: string, result: TrainedFold, preprocessing: Preprocessing): Promise<void> {
  const kinds = result.models.map((m) => (m.spec.type === "rnn" ? m.spec.options.kind : m.spec.type));
  const mixed = new Set(kinds).size > 1;
  for (const [m, model] of result.models.entries()) {
    const into = result.models.length > 1 ? memberDir(dir, m + 1) : dir;
    await model.save(into);
    writePreprocessing(into, { ...preprocessing, members: result.models.length, ...(mixed ? { memberKinds: kinds } : {}) });
  }
}

/** Save the fold record, mark the fold complete in run-state.json, then drop its epoch checkpoint. */
function recordFoldDone({ staging, state }: FoldJob, record: FoldRecord): void {
  saveFoldRecord(staging, record);
  const checkpoint = state.current?.checkpoint;
  state.completedFolds.push(record.fold);
  state.current = null;
  writeRunState(staging, state);
  if (checkpoint) fs.rmSync(path.join(staging, checkpoint), { force: true });
}

interface PooledFolds {
  windows: WindowSet;
  scores: Float32Array;
  evaluation: Evaluation;
  replayed: ReplayedRecording[];
  detection: DetectionFigures;
  /** --pad-starts: the window AUC over the windows holding T real frames. */
  fullWindows?: { auc: number | null; windows: number };
  /** --score-stride: the window AUC over the windows a run without it scores. */
  gridWindows?: { auc: number | null; windows: number };
}

/** Out-of-fold scores pooled (each aligned so its fold's threshold sits at 0.5) and the detector replayed on them. */
function poolFolds(ds: FrameDataset, folds: FoldOutcome[], opts: Pick<PipelineOptions, "padStarts" | "stride" | "scoreStride" | "startModels">): PooledFolds {
  const windows = concatWindowSets(folds.map((f) => f.split.test));
  const scores = new Float32Array(windows.count);
  let at = 0;
  for (const f of folds) {
    scores.set(alignToThreshold(f.result.testProbs, f.result.threshold), at);
    at += f.result.testProbs.length;
  }
  const evaluation = evaluateAll(scores, windows, 0.5);
  const full = opts.padStarts > 0 || opts.startModels > 0 ? unpaddedWindowAuc(ds, windows, scores, evaluation.window.auc) : undefined;
  const gridStride = offGridStride(opts);
  const grid = gridStride !== null ? gridWindowAuc(ds, windows, scores, gridStride) : undefined;
  // The deployed detector's alarms on each fold's test recordings (scores are smoothed already).
  const replayed = folds.flatMap((f) => replayWindowSet(ds, f.split.test, f.result.testProbs, { threshold: f.result.threshold, smooth: 1, refractorySec: DEFAULT_REFRACTORY_SEC }));
  const detection = detectionFigures(replayed, { refractorySec: DEFAULT_REFRACTORY_SEC });
  return { windows, scores, evaluation, replayed, detection, ...(full ? { fullWindows: full } : {}), ...(grid ? { gridWindows: grid } : {}) };
}

/** The finished staging folder becomes --out (which must still be free or empty). */
function publishStaging(staging: string, out: string, metrics: MetricsJson): PipelineOutcome {
  checkOutFree(out);
  removeResumeFiles(staging);
  if (fs.existsSync(out)) fs.rmdirSync(out); // empty (checked above)
  fs.renameSync(staging, out);
  return { out, metrics };
}
