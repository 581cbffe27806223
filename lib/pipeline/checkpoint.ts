// What makes a pipeline run resumable. A run writes into its staging folder `<out>.partial`:
//   run-state.json              options, data fingerprint, completed folds, the current fold's last checkpoint
//   resume/fold-K.json          a completed fold: threshold, predictions, training history
//   resume/fold-K-epoch-E.bin   the shared weights after epoch E (0-based) of the fold being trained
// Each file is written atomically (temporary file, fsync, rename) and run-state.json last, so after a
// kill at any moment run-state.json names only complete files. `npm run pipeline -- --resume DIR`
// reads them back, validating everything, and the finished run has resume/ and run-state.json removed.
import type { StartModelThresholds } from "./train-fold";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { FitResult } from "../distributed";
import type { DataProvenance } from "../types";
import { PipelineOptions, validateStoredOptions } from "./options";
import { readJson, writeFileAtomic, writeJsonAtomic } from "../run/atomic";

export const RUN_STATE_JSON = "run-state.json";
export const RESUME_DIR = "resume";
const FORMAT = "fall-detection-run-state";

/** The staging folder of a run writing to `out`. Without a pid, so an interrupted run can be found. */
export function stagingFor(out: string): string {
  return `${out}.partial`;
}

/** What the data was, so a resumed run can refuse data that changed in between. */
export interface DataFingerprint {
  source: DataProvenance["source"];
  /** sha256 and size of each file read (none for synthetic data). */
  files: { path: string; bytes: number; sha256: string }[];
  /** The note the run printed (names the seed for synthetic data). */
  note: string;
}

export interface CurrentFold {
  /** 1-based fold being trained. */
  fold: number;
  /** Last epoch (0-based) whose weights `checkpoint` holds. */
  lastEpoch: number;
  /** Relative to the staging folder. */
  checkpoint: string;
  weightCount: number;
  /** Merged loss and accuracy of epochs 0..lastEpoch. */
  merged: { loss: number[]; acc: number[] };
}

export interface RunState {
  format: typeof FORMAT;
  version: 1;
  /** Process writing the folder now (a live pid means: do not touch). */
  pid: number;
  options: PipelineOptions;
  data: DataFingerprint;
  folds: number;
  /** 1-based folds finished, their resume/fold-K.json written. */
  completedFolds: number[];
  current: CurrentFold | null;
  startedAt: string;
  updatedAt: string;
}

/** A finished fold as saved: enough to evaluate and report it without training it again. */
export interface FoldRecord {
  fold: number;
  threshold: number;
  trainProbs: Float32Array;
  testProbs: Float32Array;
  fit: FitResult;
  /** Every ensemble member's training, `fit` first (then the start models' with --start-models). */
  memberFits: FitResult[];
  startModels?: StartModelThresholds;
  secondWindow?: StartModelThresholds;
}

export function fingerprintData(p: DataProvenance): DataFingerprint {
  const files = p.files.map((f) => {
    const bytes = fs.readFileSync(f);
    return { path: path.resolve(f), bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  });
  return { source: p.source, files, note: p.note };
}

/** Why `now` is not the data `then` was, or null when it is the same. */
export function dataDifference(then: DataFingerprint, now: DataFingerprint): string | null {
  if (then.source !== now.source) return `the interrupted run used ${then.source} data, now it resolves to ${now.source}`;
  if (then.files.length !== now.files.length) return `the interrupted run read ${then.files.length} files, now ${now.files.length}`;
  for (const [i, f] of then.files.entries()) {
    const g = now.files[i];
    if (f.path !== g.path) return `the interrupted run read ${f.path}, now ${g.path}`;
    if (f.sha256 !== g.sha256) return `${f.path} changed since the interrupted run (sha256 ${f.sha256.slice(0, 12)}… then, ${g.sha256.slice(0, 12)}… now)`;
  }
  if (then.source === "synthetic" && then.note !== now.note) return `the synthetic data differs (${then.note} then, ${now.note} now)`;
  return null;
}

/** True when a process with this pid exists (ours included). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function writeRunState(staging: string, state: RunState): void {
  state.updatedAt = new Date().toISOString();
  writeJsonAtomic(path.join(staging, RUN_STATE_JSON), state);
}

/** Read and check every field of a run-state.json; errors are one line naming the file. */
export function readRunState(staging: string): RunState {
  const file = path.join(staging, RUN_STATE_JSON);
  if (!fs.existsSync(file)) throw new Error(`${file}: not found: ${staging} is not the staging folder of an interrupted run`);
  const v = readJson(file);
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (typeof v !== "object" || v === null || Array.isArray(v)) bad("must hold an object");
  const o = v as Record<string, unknown>;
  const keys = ["format", "version", "pid", "options", "data", "folds", "completedFolds", "current", "startedAt", "updatedAt"];
  const extra = Object.keys(o).filter((k) => !keys.includes(k));
  if (extra.length) bad(`unknown key(s) ${extra.join(", ")}`);
  if (o.format !== FORMAT || o.version !== 1) bad(`format must be "${FORMAT}" version 1`);
  const int = (x: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number =>
    typeof x === "number" && Number.isInteger(x) && x >= min && x <= max ? x : bad(`${what} must be an integer in [${min}, ${max}]; got ${JSON.stringify(x)}`);
  const pid = int(o.pid, "pid", 1);
  const options = validateStoredOptions(o.options, file);
  const folds = int(o.folds, "folds", 1, 1000);
  if (folds !== (options.folds ?? 1)) bad(`folds ${folds} does not match --folds ${options.folds}`);
  if (!Array.isArray(o.completedFolds)) bad("completedFolds must be an array");
  const completedFolds = (o.completedFolds as unknown[]).map((k, i) => int(k, `completedFolds[${i}]`, 1, folds));
  if (new Set(completedFolds).size !== completedFolds.length) bad("completedFolds repeats a fold");
  const data = o.data as Record<string, unknown> | null;
  if (typeof data !== "object" || data === null || typeof data.source !== "string" || typeof data.note !== "string" || !Array.isArray(data.files)) {
    bad("data must be {source, files, note}");
  }
  for (const f of data!.files as unknown[]) {
    const g = f as Record<string, unknown> | null;
    if (typeof g !== "object" || g === null || typeof g.path !== "string" || typeof g.sha256 !== "string" || typeof g.bytes !== "number") bad("data.files must hold {path, bytes, sha256}");
  }
  let current: CurrentFold | null = null;
  if (o.current !== null) {
    const c = o.current as Record<string, unknown>;
    if (typeof c !== "object" || Array.isArray(c)) bad("current must be an object or null");
    const fold = int(c.fold, "current.fold", 1, folds);
    if (completedFolds.includes(fold)) bad(`current.fold ${fold} is also completed`);
    const lastEpoch = int(c.lastEpoch, "current.lastEpoch", 0, options.epochs - 1);
    const weightCount = int(c.weightCount, "current.weightCount", 1);
    if (typeof c.checkpoint !== "string" || !/^resume\/fold-\d+-epoch-\d+\.bin$/.test(c.checkpoint)) bad("current.checkpoint must be resume/fold-K-epoch-E.bin");
    const m = c.merged as Record<string, unknown> | null;
    const numbers = (x: unknown) => Array.isArray(x) && x.length === lastEpoch + 1 && x.every((n) => typeof n === "number" || n === null);
    if (typeof m !== "object" || m === null || !numbers(m.loss) || !numbers(m.acc)) bad(`current.merged must hold loss and acc for ${lastEpoch + 1} epoch(s)`);
    current = {
      fold,
      lastEpoch,
      checkpoint: c.checkpoint as string,
      weightCount,
      merged: { loss: (m!.loss as (number | null)[]).map(num), acc: (m!.acc as (number | null)[]).map(num) },
    };
  }
  if (typeof o.startedAt !== "string" || typeof o.updatedAt !== "string") bad("startedAt and updatedAt must be strings");
  return {
    format: FORMAT,
    version: 1,
    pid,
    options,
    data: data as unknown as DataFingerprint,
    folds,
    completedFolds,
    current,
    startedAt: o.startedAt as string,
    updatedAt: o.updatedAt as string,
  };
}

const num = (x: number | null): number => (x === null ? NaN : x);

function checkpointName(fold: number, epoch: number): string {
  return `${RESUME_DIR}/fold-${fold}-epoch-${epoch}.bin`;
}

/** Write the weights after `epoch` of `fold`, then point run-state.json at them, then drop the previous checkpoint. */
export function saveCheckpoint(staging: string, state: RunState, fold: number, epoch: number, weights: Float32Array, merged: { loss: number[]; acc: number[] }): void {
  const name = checkpointName(fold, epoch);
  writeFileAtomic(path.join(staging, name), new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  const previous = state.current?.checkpoint;
  state.current = { fold, lastEpoch: epoch, checkpoint: name, weightCount: weights.length, merged: { loss: [...merged.loss], acc: [...merged.acc] } };
  writeRunState(staging, state);
  if (previous && previous !== name) fs.rmSync(path.join(staging, previous), { force: true });
}

/** The weights run-state.json points at, checked: size, count and finiteness. */
export function loadCheckpoint(staging: string, current: CurrentFold, weightCount: number): Float32Array {
  const file = path.join(staging, current.checkpoint);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`${file}: cannot read checkpoint (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (current.weightCount !== weightCount || bytes.length !== weightCount * 4) {
    throw new Error(`${file}: holds ${bytes.length % 4 === 0 ? `${bytes.length / 4} weights` : `${bytes.length} bytes, not whole float32 weights (truncated?)`} (run-state says ${current.weightCount}), the model has ${weightCount}`);
  }
  const flat = new Float32Array(weightCount);
  new Uint8Array(flat.buffer).set(bytes);
  const bad = flat.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`${file}: weight ${bad} is ${flat[bad]}; a checkpoint must be finite`);
  return flat;
}

/** NaN and ±Infinity survive JSON as strings (losses of empty partitions are NaN). */
const encode = (_k: string, v: unknown): unknown => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v instanceof Float32Array ? Array.from(v) : v);
const decode = (_k: string, v: unknown): unknown => (v === "NaN" || v === "Infinity" || v === "-Infinity" ? Number(v) : v);

function foldFile(staging: string, fold: number): string {
  return path.join(staging, RESUME_DIR, `fold-${fold}.json`);
}

export function saveFoldRecord(staging: string, record: FoldRecord): void {
  writeFileAtomic(foldFile(staging, record.fold), JSON.stringify(record, encode) + "\n");
}

/** A completed fold's record, checked against the split it must belong to. */
export function loadFoldRecord(staging: string, fold: number, expected: { trainCount: number; testCount: number; workers: number; members: number; startModels: boolean; secondWindow?: boolean }): FoldRecord {
  const file = foldFile(staging, fold);
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, "utf8"), decode);
  } catch (err) {
    throw new Error(`${file}: cannot read a completed fold (${(err as Error).message.split("\n")[0]})`);
  }
  const bad = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  const o = v as Record<string, unknown>;
  if (typeof o !== "object" || o === null || o.fold !== fold) bad(`must hold fold ${fold}`);
  const t = o.threshold;
  if (typeof t !== "number" || !(t > 0 && t < 1)) bad("threshold must be in (0, 1)");
  const probs = (x: unknown, n: number, what: string): Float32Array => {
    if (!Array.isArray(x) || x.length !== n || !x.every((p) => typeof p === "number" && p >= 0 && p <= 1)) bad(`${what} must hold ${n} probabilities`);
    return Float32Array.from(x as number[]);
  };
  const isNums = (x: unknown) => Array.isArray(x) && x.every((n) => typeof n === "number");
  const checkFit = (fit: Record<string, unknown> | null, what: string): FitResult => {
    const merged = fit?.merged as Record<string, unknown> | undefined;
    const timing = fit?.timing as Record<string, unknown> | undefined;
    if (typeof fit !== "object" || fit === null || !merged || !isNums(merged.loss) || !isNums(merged.acc) || typeof fit.windowsPerSec !== "number" ||
      !timing || !Object.values(timing).every((x) => typeof x === "number") || !Array.isArray(fit.workers) || fit.workers.length !== expected.workers) {
      bad(`${what} must be a training result of ${expected.workers} workers`);
    }
    for (const w of fit!.workers as Record<string, unknown>[]) {
      const h = w?.history as Record<string, unknown> | undefined;
      if (typeof w?.id !== "number" || typeof w.samples !== "number" || !h || !isNums(h.loss) || !isNums(h.acc) || typeof w.timing !== "object") bad(`${what}.workers must hold {id, samples, history, timing}`);
    }
    return fit as unknown as FitResult;
  };
  const fit = checkFit(o.fit as Record<string, unknown> | null, "fit");
  if (!Array.isArray(o.memberFits) || o.memberFits.length !== expected.members) bad(`memberFits must hold the training results of ${expected.members} ensemble member(s)`);
  const memberFits = (o.memberFits as Record<string, unknown>[]).map((f, i) => checkFit(f, `memberFits[${i}]`));
  const inside = (x: unknown) => typeof x === "number" && x > 0 && x < 1;
  const sm = o.startModels as Record<string, unknown> | undefined;
  if (expected.startModels && !(sm && inside(sm.fullThreshold) && inside(sm.startThreshold))) bad("startModels must hold fullThreshold and startThreshold in (0, 1) (a --start-models run)");
  if (!expected.startModels && sm !== undefined) bad("holds startModels thresholds, but the run has no --start-models");
  const sw = o.secondWindow as Record<string, unknown> | undefined;
  if (expected.secondWindow && !(sw && inside(sw.fullThreshold) && inside(sw.startThreshold))) bad("secondWindow must hold fullThreshold and startThreshold in (0, 1) (a --second-window run)");
  if (!expected.secondWindow && sw !== undefined) bad("holds secondWindow thresholds, but the run has no --second-window");
  return {
    fold,
    threshold: t as number,
    trainProbs: probs(o.trainProbs, expected.trainCount, "trainProbs"),
    testProbs: probs(o.testProbs, expected.testCount, "testProbs"),
    fit,
    memberFits,
    ...(sm ? { startModels: { fullThreshold: sm.fullThreshold as number, startThreshold: sm.startThreshold as number } } : {}),
    ...(sw ? { secondWindow: { fullThreshold: sw.fullThreshold as number, startThreshold: sw.startThreshold as number } } : {}),
  };
}

/** Remove what an interrupted atomic write may have left (…​.tmp, …​.tmp-<pid>-…, …​.saving-<pid>-…). */
export function sweepTemporaries(dir: string): string[] {
  const removed: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (/\.(tmp|tmp-\d+-.+|saving-\d+-.+|partial-init-\d+)$/.test(e.name)) {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    } else if (e.isDirectory()) removed.push(...sweepTemporaries(p));
  }
  return removed;
}

/** The bookkeeping a finished run does not keep. */
export function removeResumeFiles(staging: string): void {
  fs.rmSync(path.join(staging, RESUME_DIR), { recursive: true, force: true });
  fs.rmSync(path.join(staging, RUN_STATE_JSON), { force: true });
}
