// A static folder that runs a saved model (or an ensemble's members) in the browser: index.html +
// model.json + weights.bin (member-N.json + member-N.bin for an ensemble; start-member-N.* for a --start-models
// folder's start models) + tf.min.js from the installed @tensorflow/tfjs package (nothing from a CDN). Serve it over
// http. The page raises alarms with lib/detect's alarmLogic, embedded as is, so the browser and Node share one alarm
// rule, and combines members as preprocessing.json's combine says.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Scaler } from "../data/scaler";
import { DEFAULT_STRIDE } from "../data/windows";
import { MODEL_JSON, WEIGHTS_BIN } from "../model/io";
import { diffLagsOf } from "../data/windows";
import { FEATURE_NAMES } from "../types";
import { demoPageHtml, DemoAlarmSettings } from "./demo-page";
import { ensembleMemberDirs } from "./ensemble-folder";
import { Preprocessing, PREPROCESSING_JSON, readPreprocessing, windowDiffLags } from "./preprocessing";
import { DEFAULT_REFRACTORY_SEC, refractoryFrames, URFD_FPS } from "../detect/delay";

export const TFJS_BROWSER_BUNDLE = "tf.min.js";

export interface BrowserDemoOptions {
  /** One recording: frames × the 8 URFD features, and its name. */
  sequence: { features: number[][]; id: string; frames?: number[] };
  /** The scaler the model was trained with. */
  scaler: Scaler;
  /** Step between windows (default 4). */
  stride?: number;
  /**
   * The alarm rule: default the model folder's preprocessing.json (threshold, smooth) with a 10 s
   * refractory period at 30 fps; without a threshold there the page scores windows and says it
   * raises no alarms.
   */
  alarms?: { threshold: number; smooth: number; refractorySec?: number; fps?: number };
}

export interface BrowserDemo {
  dir: string;
  files: string[];
  T: number;
  F: number;
  /** Windows the page will score. */
  windows: number;
  /** Models the page combines, start models included (1 = a single model). */
  members: number;
  /** The alarm rule the page applies, or null when it has no threshold. */
  alarms: DemoAlarmSettings | null;
}

/** The alarm rule for the page: given, else from preprocessing.json when it holds a threshold. */
function alarmSettings(dir: string, given: BrowserDemoOptions["alarms"]): DemoAlarmSettings | null {
  let rule = given;
  if (!rule && fs.existsSync(path.join(dir, PREPROCESSING_JSON))) {
    const p = readPreprocessing(dir);
    if (p.threshold !== undefined) rule = { threshold: p.threshold, smooth: p.smooth ?? 1 };
  }
  if (!rule) return null;
  const fps = rule.fps ?? URFD_FPS;
  const refractorySec = rule.refractorySec ?? DEFAULT_REFRACTORY_SEC;
  return { threshold: rule.threshold, smooth: rule.smooth, refractoryFrames: refractoryFrames(refractorySec, fps), fps, refractorySec };
}

/** A --start-models folder's start group: its member folders, scaler, padding and threshold, and the main threshold. */
function startGroup(modelDir: string, first: string, pre: Preprocessing, T: number, F: number): { dirs: string[]; scaler: Scaler; padStarts: number; threshold: number; fullThreshold: number } {
  const dir = path.join(modelDir, pre.startModels!);
  const members = ensembleMemberDirs(dir);
  const dirs = members.length > 0 ? members : [dir];
  const sp = readPreprocessing(dirs[0]);
  for (const m of dirs) {
    const s = savedInputShape(path.join(m, MODEL_JSON));
    if (s.T !== T || s.F !== F) throw new Error(`${m}: takes windows of [${s.T}, ${s.F}], the main models [${T}, ${F}]`);
  }
  const where = path.join(dirs[0], PREPROCESSING_JSON);
  if (!sp.window.padStarts) throw new Error(`${where}: start models without window.padStarts`);
  if (sp.threshold === undefined || pre.threshold === undefined) throw new Error(`${sp.threshold === undefined ? where : path.join(first, PREPROCESSING_JSON)}: no threshold`);
  if ((sp.combine ?? "mean") !== (pre.combine ?? "mean")) throw new Error(`${where}: combines its members by ${sp.combine ?? "mean"}, the main folder's by ${pre.combine ?? "mean"}`);
  return { dirs, scaler: sp.scaler, padStarts: sp.window.padStarts, threshold: sp.threshold, fullThreshold: pre.threshold };
}

/** A --second-window folder's second detector: its member folders, scaler, window length and start group. */
function secondGroup(modelDir: string, pre: Preprocessing, T: number, F: number, firstStart: ReturnType<typeof startGroup> | null): { dir: string; dirs: string[]; scaler: Scaler; T: number; start: ReturnType<typeof startGroup> } {
  const dir = path.join(modelDir, pre.secondWindow!.dir);
  const members = ensembleMemberDirs(dir);
  const dirs = members.length > 0 ? members : [dir];
  const sp = readPreprocessing(dirs[0]);
  const where = path.join(dirs[0], PREPROCESSING_JSON);
  const s = savedInputShape(path.join(dirs[0], MODEL_JSON));
  for (const m of dirs) {
    const o = savedInputShape(path.join(m, MODEL_JSON));
    if (o.T !== s.T || o.F !== F) throw new Error(`${m}: takes windows of [${o.T}, ${o.F}], the second detector's [${s.T}, ${F}]`);
  }
  if (s.T <= T) throw new Error(`${where}: windows of ${s.T} frames, not longer than the first detector's ${T}`);
  if (sp.startModels === undefined || !firstStart) throw new Error(`${where}: both detectors of a second window need start models`);
  if (sp.window.stride !== pre.window.stride || JSON.stringify(windowDiffLags(sp.window)) !== JSON.stringify(windowDiffLags(pre.window))) throw new Error(`${where}: window settings differ from the first detector's beyond T`);
  const start = startGroup(dir, dirs[0], sp, s.T, F);
  if (start.padStarts - firstStart.padStarts !== s.T - T) throw new Error(`${where}: start models padded ${start.padStarts} times, the first's ${firstStart.padStarts}: they must differ by ${s.T - T} to score the same frames`);
  return { dir, dirs, scaler: sp.scaler, T: s.T, start };
}

/** Copy a saved model as NAME.json + NAME.bin, its weights manifest pointing at the new name. */
function copyModelAs(dir: string, outDir: string, name: string): string[] {
  const file = path.join(dir, MODEL_JSON);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { weightsManifest?: { paths: string[] }[] };
  const groups = json.weightsManifest ?? [];
  if (groups.length !== 1 || groups[0].paths.length !== 1) throw new Error(`${file}: expected one weights file in weightsManifest`);
  fs.copyFileSync(path.join(dir, groups[0].paths[0]), path.join(outDir, `${name}.bin`));
  groups[0].paths = [`${name}.bin`];
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(json));
  return [`${name}.json`, `${name}.bin`];
}

/** [T, F] from a saved model.json's Keras topology (the layer carrying batch_input_shape). */
export function savedInputShape(modelJsonFile: string): { T: number; F: number } {
  let json: { modelTopology?: { config?: { layers?: { config?: { batch_input_shape?: unknown } }[] } } };
  try {
    json = JSON.parse(fs.readFileSync(modelJsonFile, "utf8"));
  } catch (e) {
    throw new Error(`${modelJsonFile}: cannot read a model (${(e as Error).message.split("\n")[0]})`);
  }
  const shape = json.modelTopology?.config?.layers?.find((l) => l.config?.batch_input_shape)?.config?.batch_input_shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !Number.isInteger(shape[1]) || !Number.isInteger(shape[2])) {
    throw new Error(`${modelJsonFile}: no fixed [T, F] input shape in the model topology`);
  }
  return { T: shape[1], F: shape[2] };
}

function checkSequence(seq: BrowserDemoOptions["sequence"], nf: number): number[] {
  if (!Array.isArray(seq.features) || seq.features.length === 0) throw new Error("sequence.features must hold at least one frame");
  seq.features.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== nf || !row.every(Number.isFinite)) throw new Error(`sequence.features[${i}] must be ${nf} finite numbers`);
  });
  const frames = seq.frames ?? seq.features.map((_, i) => i + 1);
  if (frames.length !== seq.features.length || frames.some((f, i) => !Number.isInteger(f) || (i > 0 && f <= frames[i - 1]))) {
    throw new Error("sequence.frames must be increasing integers, one per frame");
  }
  return frames;
}

/** Write the demo folder; returns what it holds. `outDir` is created; existing files are overwritten. */
export function writeBrowserDemo(modelDir: string, outDir: string, opts: BrowserDemoOptions): BrowserDemo {
  const members = ensembleMemberDirs(modelDir);
  const first = members[0] ?? modelDir;
  const pre = fs.existsSync(path.join(first, PREPROCESSING_JSON)) ? readPreprocessing(first) : null;
  // The page pads only a --start-models folder's start models; a --pad-starts main model was trained on padded recordings.
  if ((pre?.window.padStarts ?? 0) > 0) throw new Error(`${path.join(first, PREPROCESSING_JSON)}: window.padStarts is set (--pad-starts); the browser page does not pad recordings`);
  const { T, F } = savedInputShape(path.join(first, MODEL_JSON));
  for (const m of members) {
    const s = savedInputShape(path.join(m, MODEL_JSON));
    if (s.T !== T || s.F !== F) throw new Error(`${m}: takes windows of [${s.T}, ${s.F}], member-1 [${T}, ${F}]`);
  }
  const start = pre?.startModels !== undefined ? startGroup(modelDir, first, pre, T, F) : null;
  const second = pre?.secondWindow !== undefined ? secondGroup(modelDir, pre, T, F, start) : null;
  // The thresholds of a --start-models folder are its two groups'; an override would fit neither.
  if (start && opts.alarms && (opts.alarms.threshold !== 0.5 || opts.alarms.smooth !== 1)) throw new Error(`${path.join(first, PREPROCESSING_JSON)}: names start models (--start-models): the page takes their two thresholds from the folder (alarms may set only refractorySec and fps, with threshold 0.5 and smooth 1)`);
  const nf = FEATURE_NAMES.length;
  if (opts.scaler.mean.length !== F || opts.scaler.std.length !== F) throw new Error(`the scaler has ${opts.scaler.mean.length} features, the model takes ${F}`);
  const diffLags = diffLagsOf(FEATURE_NAMES, opts.scaler.featureNames);
  if (diffLags === null) throw new Error(`the scaler names ${opts.scaler.featureNames.join(",")}; the demo needs the 8 features, then their differences (dH..., d4H...)`);
  const stride = opts.stride ?? pre?.window.stride ?? DEFAULT_STRIDE;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stride must be a positive integer, got ${stride}`);
  const frames = checkSequence(opts.sequence, nf);
  const n = opts.sequence.features.length;
  let windows = n >= T ? Math.floor((n - T) / stride) + 1 : 0;
  // The padded stream's windows, placed back from its end, that hold T − padStarts .. T − 1 real frames.
  if (start) for (let end = n + start.padStarts; end >= T; end -= stride) if (end - start.padStarts < T) windows++;
  if (windows === 0) throw new Error(`sequence ${opts.sequence.id} has ${opts.sequence.features.length} frames, fewer than one window of ${T}`);

  const alarms = start ? alarmSettings(first, { ...opts.alarms, threshold: 0.5, smooth: 1 }) : alarmSettings(first, opts.alarms);

  fs.mkdirSync(outDir, { recursive: true });
  const modelFiles: string[] = [];
  if (members.length === 0) {
    for (const f of [MODEL_JSON, WEIGHTS_BIN]) fs.copyFileSync(path.join(modelDir, f), path.join(outDir, f));
    modelFiles.push(MODEL_JSON, WEIGHTS_BIN);
  } else {
    members.forEach((m, i) => modelFiles.push(...copyModelAs(m, outDir, `member-${i + 1}`)));
  }
  const startFiles = start ? start.dirs.flatMap((m, i) => copyModelAs(m, outDir, `start-member-${i + 1}`)) : [];
  const secondFiles = second ? second.dirs.flatMap((m, i) => copyModelAs(m, outDir, `second-member-${i + 1}`)) : [];
  const secondStartFiles = second ? second.start.dirs.flatMap((m, i) => copyModelAs(m, outDir, `second-start-member-${i + 1}`)) : [];
  const group = (files: string[], g: ReturnType<typeof startGroup>) => ({ models: files.filter((f) => f.endsWith(".json")), scaler: { mean: [...g.scaler.mean], std: [...g.scaler.std] }, padStarts: g.padStarts, threshold: g.threshold, fullThreshold: g.fullThreshold });
  fs.copyFileSync(require.resolve("@tensorflow/tfjs/dist/tf.min.js"), path.join(outDir, TFJS_BROWSER_BUNDLE));
  const html = demoPageHtml({
    id: opts.sequence.id,
    features: opts.sequence.features,
    frames,
    scaler: { mean: [...opts.scaler.mean], std: [...opts.scaler.std], featureNames: [...opts.scaler.featureNames] },
    T,
    F,
    stride,
    diffLags,
    models: modelFiles.filter((f) => f.endsWith(".json")),
    alarms,
    combine: pre?.combine ?? "mean",
    start: start ? group(startFiles, start) : null,
    second: second ? { T: second.T, rule: pre!.secondWindow!.rule, ...(pre!.secondWindow!.hold ? { hold: pre!.secondWindow!.hold } : {}), ...(pre!.secondWindow!.level ? { level: pre!.secondWindow!.level } : {}), models: secondFiles.filter((f) => f.endsWith(".json")), scaler: { mean: [...second.scaler.mean], std: [...second.scaler.std] }, start: group(secondStartFiles, second.start) } : null,
  });
  fs.writeFileSync(path.join(outDir, "index.html"), html);
  const secondCount = second ? second.dirs.length + second.start.dirs.length : 0;
  return { dir: outDir, files: ["index.html", ...modelFiles, ...startFiles, ...secondFiles, ...secondStartFiles, TFJS_BROWSER_BUNDLE], T, F, windows, members: Math.max(1, members.length) + (start?.dirs.length ?? 0) + secondCount, alarms };
}
