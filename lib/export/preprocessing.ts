// preprocessing.json: what a saved model needs besides its weights to score raw frames (the
// scaler, the window settings and the detection threshold). It lives next to distributed.json.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Scaler } from "../data/scaler";
import { checkDiffLags } from "../data/windows";
import { expectInt, expectNumber, expectObject, Plain, rejectUnknownKeys } from "../model/check";
import { readJson, writeJsonAtomic } from "../run/atomic";
import { MEMBER_COMBINE_NAMES, MemberCombineName } from "../evaluate/member-combine";
import { SECOND_WINDOW_RULES, SecondWindowRule } from "../detect/second-window";

export const PREPROCESSING_JSON = "preprocessing.json";
export const PREPROCESSING_FORMAT = "fall-detection-preprocessing";

export interface WindowSettings {
  /** Frames per window. */
  T: number;
  /** Step between window starts. */
  stride: number;
  /** Inputs are the features plus their differences. */
  withDiffs: boolean;
  /** Lags of those differences; absent (files written before lags existed) means [1]. */
  diffLags?: number[];
  /** Copies of a recording's first frame in front of it (absent = 0; makeWindows' padStarts). */
  padStarts?: number;
}

/** The difference lags a model folder's inputs use: none, window.diffLags, or [1] for older files. */
export function windowDiffLags(w: WindowSettings): number[] {
  return w.withDiffs ? (w.diffLags ?? [1]) : [];
}

export interface Preprocessing {
  /** Fitted on the training windows only (lib/pipeline/prepare.ts). */
  scaler: Scaler;
  window: WindowSettings;
  /** Detection threshold chosen on training data; absent means "use 0.5 or --threshold". */
  threshold?: number;
  /** The threshold applies to the mean of the last `smooth` window scores (absent = 1, raw). */
  smooth?: number;
  /**
   * A --start-models run: the subfolder (of the model folder) holding the start models, which score a stream's first
   * windows alone; this folder's threshold is then the one of all members' mean on full windows (lib/detect/start-models.ts).
   */
  startModels?: string;
  /**
   * --second-window: the subfolder holding a second whole detector (its own preprocessing.json, longer windows, its start
   * models) that scores the same frames; a frame's two aligned scores are joined by `rule` ("min": the lower, an alarm
   * needs both), each held `hold` frames first (absent: none; HeldJoin), the second passing at aligned score `level`
   * (absent: 0.5, its own threshold).
   */
  secondWindow?: { dir: string; rule: SecondWindowRule; hold?: number; level?: number };
  /** How many models the ensemble this folder belongs to has (absent in folders written before it: not checked). */
  members?: number;
  /** How the members' probabilities become the score the threshold is for (absent: their mean; lib/evaluate/member-combine.ts). */
  combine?: MemberCombineName;
  /** Each member's recurrent type, in member order, when they differ (--second-model); absent: all as member 1. */
  memberKinds?: string[];
}

/** Validate plain data (from JSON or a caller); throws a one-line TypeError naming the field. */
export function parsePreprocessing(value: unknown, where = PREPROCESSING_JSON): Preprocessing {
  const o = expectObject(value, where);
  // Top-level keys beyond ours are ignored, so the pipeline may add notes without breaking readers.
  if (o.format !== undefined && o.format !== PREPROCESSING_FORMAT) throw new TypeError(`${where}: format must be "${PREPROCESSING_FORMAT}"`);
  if (o.version !== undefined) expectInt(o.version, `${where}.version`, 1, 1);
  const scaler = parseScaler(expectObject(o.scaler, `${where}.scaler`), `${where}.scaler`);
  const w = expectObject(o.window, `${where}.window`);
  rejectUnknownKeys(w, ["T", "stride", "withDiffs", "diffLags", "padStarts"], `${where}.window`);
  if (typeof w.withDiffs !== "boolean") throw new TypeError(`${where}.window.withDiffs must be true or false`);
  const window: WindowSettings = { T: expectInt(w.T, `${where}.window.T`, 1), stride: expectInt(w.stride, `${where}.window.stride`, 1), withDiffs: w.withDiffs };
  if (w.diffLags !== undefined) {
    if (!Array.isArray(w.diffLags)) throw new TypeError(`${where}.window.diffLags must be an array of increasing positive integers`);
    window.diffLags = checkDiffLags(w.diffLags as number[], `${where}.window.diffLags`);
  }
  if (w.padStarts !== undefined) window.padStarts = expectInt(w.padStarts, `${where}.window.padStarts`, 0, window.T - 1);
  const out: Preprocessing = { scaler, window };
  if (o.threshold !== undefined) out.threshold = expectNumber(o.threshold, `${where}.threshold`, { min: 0, max: 1 });
  if (o.smooth !== undefined) out.smooth = expectInt(o.smooth, `${where}.smooth`, 1);
  if (o.members !== undefined) out.members = expectInt(o.members, `${where}.members`, 1);
  if (o.combine !== undefined) {
    if (!MEMBER_COMBINE_NAMES.includes(o.combine as MemberCombineName)) throw new TypeError(`${where}.combine must be one of ${MEMBER_COMBINE_NAMES.join(", ")}`);
    out.combine = o.combine as MemberCombineName;
  }
  if (o.memberKinds !== undefined) {
    if (!Array.isArray(o.memberKinds) || o.memberKinds.length === 0 || !o.memberKinds.every((k) => k === "lstm" || k === "gru")) throw new TypeError(`${where}.memberKinds must be a non-empty array of model types (lstm, gru)`);
    if (out.members !== undefined && o.memberKinds.length !== out.members) throw new TypeError(`${where}.memberKinds names ${o.memberKinds.length} models, members says ${out.members}`);
    out.memberKinds = [...(o.memberKinds as string[])];
  }
  if (o.startModels !== undefined) {
    // A plain subfolder name: the file never points outside its model folder.
    if (!isSubfolderName(o.startModels)) throw new TypeError(`${where}.startModels must name a subfolder (letters, digits, . _ -)`);
    out.startModels = o.startModels;
  }
  if (o.secondWindow !== undefined) {
    const sw = expectObject(o.secondWindow, `${where}.secondWindow`);
    rejectUnknownKeys(sw, ["dir", "rule", "hold", "level"], `${where}.secondWindow`);
    if (!isSubfolderName(sw.dir)) throw new TypeError(`${where}.secondWindow.dir must name a subfolder (letters, digits, . _ -)`);
    if (!SECOND_WINDOW_RULES.includes(sw.rule as SecondWindowRule)) throw new TypeError(`${where}.secondWindow.rule must be one of ${SECOND_WINDOW_RULES.join(", ")}`);
    if (out.startModels === undefined) throw new TypeError(`${where}.secondWindow needs startModels (both detectors score a stream's first frames with their start models)`);
    if (sw.hold !== undefined && !(Number.isInteger(sw.hold) && (sw.hold as number) > 0)) throw new TypeError(`${where}.secondWindow.hold must be a whole number of frames > 0 (absent: none)`);
    if (sw.level !== undefined && !(typeof sw.level === "number" && sw.level > 0 && sw.level < 0.5)) throw new TypeError(`${where}.secondWindow.level must be an aligned score in (0, 0.5) (absent: 0.5)`);
    out.secondWindow = { dir: sw.dir, rule: sw.rule as SecondWindowRule, ...(sw.hold !== undefined ? { hold: sw.hold as number } : {}), ...(sw.level !== undefined ? { level: sw.level as number } : {}) };
  }
  return out;
}

function isSubfolderName(v: unknown): v is string {
  return typeof v === "string" && /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(v);
}

function parseScaler(s: Plain, where: string): Scaler {
  rejectUnknownKeys(s, ["mean", "std", "featureNames"], where);
  const nums = (v: unknown, k: string, positive: boolean): number[] => {
    if (!Array.isArray(v) || v.length === 0) throw new TypeError(`${where}.${k} must be a non-empty array of numbers`);
    return v.map((x, i) => expectNumber(x, `${where}.${k}[${i}]`, positive ? { min: 0, minExclusive: true } : {}));
  };
  const mean = nums(s.mean, "mean", false);
  const std = nums(s.std, "std", true);
  const names = s.featureNames;
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) throw new TypeError(`${where}.featureNames must be an array of strings`);
  if (std.length !== mean.length || names.length !== mean.length) {
    throw new TypeError(`${where}: mean, std and featureNames must have the same length (${mean.length}, ${std.length}, ${names.length})`);
  }
  return { mean, std, featureNames: [...(names as string[])] };
}

/** Write dir/preprocessing.json (atomically); the data is validated first. */
export function writePreprocessing(dir: string, p: Preprocessing): string {
  const clean = parsePreprocessing(p, "preprocessing");
  const file = path.join(dir, PREPROCESSING_JSON);
  writeJsonAtomic(file, { format: PREPROCESSING_FORMAT, version: 1, ...clean });
  return file;
}

/** Read dir/preprocessing.json; every error is one line naming the file. */
export function readPreprocessing(dir: string): Preprocessing {
  const file = path.join(dir, PREPROCESSING_JSON);
  if (!fs.existsSync(file)) {
    throw new Error(`${file}: not found (a model folder needs preprocessing.json with the scaler and window settings next to distributed.json)`);
  }
  return parsePreprocessing(readJson(file), file);
}
