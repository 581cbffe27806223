// Issue 15, a seventeenth round (2026-12-06): two deployment runs of one seed (both `--start-models`), e.g. an LSTM
// run and a GRU run, scored as one detector. Each fold's main members of both runs form one main group, their start
// members one start group, and the pipeline's own rule (lib/detect/start-models.ts mixFold) runs on them: the start
// group's threshold chosen on its training windows as trainFold chooses it, all members combined on full windows (as
// both runs combine theirs, or --combine) against its own. A run alone (no partner) must reproduce its metrics.json: the check this study starts with.
// `node dist/lib/detect/group-mix-study.js A_1 B_1 [A_2 B_2 ...]` prints issue 15's goals of the mixes against the A runs.
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { Command, Option } from "commander";
import type { FrameDataset, WindowSet } from "../types";
import { concatWindowSets } from "../data/split";
import { resolveData } from "../data/load";
import { evaluateAll } from "../evaluate";
import { chooseSequenceThreshold, clampThreshold } from "../evaluate/sequence-threshold";
import type { ThresholdMidpoint } from "../evaluate/threshold";
import { loadSavedDetector } from "../export/saved-model";
import { makePredictor } from "../model/fused-model";
import { readJson } from "../run/atomic";
import { DEFAULT_REFRACTORY_SEC, detectionFigures } from "./delay";
import { GoalFigures } from "./goals";
import { GoalRun, goalsTable, readGoalRun } from "./goals-table";
import { replayWindowSet } from "./replay";
import { GroupScores, mixFold } from "./start-models";
import { MemberCombine, memberCombine, MemberCombineName, memberMean } from "../evaluate/member-combine";
import { gridWindowAuc } from "./unpadded-windows";
import { readFoldWindows } from "./rescore-run";
import { concatScores } from "./rule-study";

/** One fold of a --start-models run: both groups' windows (the run's Arrow files) and every member's probabilities on them. */
export interface RunFold {
  fold: number;
  main: GroupScores;
  start: GroupScores;
  /** What the run saved: the start group's threshold (a check on the recomputed one). */
  savedStartThreshold: number;
  /** The scaler and window settings both groups were scored with: two runs mix only where these agree. */
  preprocessingKey: string;
}

export interface RunConfig {
  seed: number;
  data: string | null;
  synthetic?: boolean;
  startModels: number;
  smooth: number;
  thresholdMidpoint?: ThresholdMidpoint;
  stride: number;
  /** Absent in runs written before --combine: their mean. */
  combine?: MemberCombineName;
}

export function runConfig(dir: string): RunConfig {
  const c = (readJson(path.join(dir, "metrics.json")) as { config: RunConfig }).config;
  if (!(c.startModels > 0)) throw new Error(`${dir}: not a --start-models run`);
  if (c.smooth !== 1) throw new Error(`${dir}: --start-models runs score with --smooth 1, this one has ${c.smooth}`);
  return c;
}

/** Every member's probabilities on `ws`, through the fused forward pass the detector uses (batches of 256 windows). */
function memberScores(models: readonly tf.LayersModel[], ws: WindowSet): Float32Array[] {
  const row = ws.T * ws.F;
  return models.map((m) => {
    const p = makePredictor(m);
    const out = new Float32Array(ws.count);
    for (let at = 0; at < ws.count; at += 256) {
      const n = Math.min(256, ws.count - at);
      out.set(tf.tidy(() => p.predict(tf.tensor3d(ws.x.subarray(at * row, (at + n) * row), [n, ws.T, ws.F])).dataSync() as Float32Array), at);
    }
    return out;
  });
}

async function group(modelDir: string, arrowDir: string): Promise<{ scores: GroupScores; threshold: number; key: string }> {
  const { train, test } = readFoldWindows(arrowDir);
  const saved = await loadSavedDetector(modelDir);
  try {
    const pre = saved.preprocessing;
    if (pre.threshold === undefined) throw new Error(`${modelDir}: preprocessing.json has no threshold`);
    return {
      scores: { train, test, trainMembers: memberScores(saved.models, train), testMembers: memberScores(saved.models, test) },
      threshold: pre.threshold,
      key: JSON.stringify({ scaler: pre.scaler, window: pre.window }),
    };
  } finally {
    for (const m of saved.models) m.dispose();
  }
}

/** Every fold of a --start-models run, scored again by its saved members. */
export async function readRunFolds(runDir: string): Promise<RunFold[]> {
  const models = path.join(runDir, "models");
  const folds = fs.readdirSync(models).filter((d) => /^fold-\d+$/.test(d)).map((d) => Number(d.slice(5))).sort((a, b) => a - b);
  const out: RunFold[] = [];
  for (const k of folds) {
    const main = await group(path.join(models, `fold-${k}`), path.join(runDir, "arrow", `fold-${k}`));
    const start = await group(path.join(models, `fold-${k}`, "start"), path.join(runDir, "arrow", `fold-${k}`, "start"));
    out.push({ fold: k, main: main.scores, start: start.scores, savedStartThreshold: start.threshold, preprocessingKey: main.key + start.key });
  }
  return out;
}

/** Which of the partner run's groups join the first run's: both, or its main (full-window) or start members only. */
export type PartnerGroups = "both" | "main" | "start";
export const PARTNER_GROUPS: readonly PartnerGroups[] = ["both", "main", "start"];

/** Two runs' folds as one: the windows must be the same (same seed, data and preprocessing), B's members of `groups` after A's. */
export function joinFolds(a: readonly RunFold[], b: readonly RunFold[], what: string, groups: PartnerGroups = "both"): RunFold[] {
  if (a.length !== b.length) throw new Error(`${what}: ${a.length} and ${b.length} folds`);
  return a.map((f, i) => {
    const g = b[i];
    if (f.fold !== g.fold || f.preprocessingKey !== g.preprocessingKey) throw new Error(`${what}: fold ${f.fold} was scaled or windowed differently in the two runs`);
    const same = (x: WindowSet, y: WindowSet) => x.count === y.count && x.x.length === y.x.length && x.x.every((v, j) => v === y.x[j]);
    if (!same(f.main.test, g.main.test) || !same(f.start.test, g.start.test) || !same(f.main.train, g.main.train) || !same(f.start.train, g.start.train)) {
      throw new Error(`${what}: fold ${f.fold}: the two runs hold different windows`);
    }
    const join = (x: GroupScores, y: GroupScores): GroupScores => ({ ...x, trainMembers: [...x.trainMembers, ...y.trainMembers], testMembers: [...x.testMembers, ...y.testMembers] });
    const main = groups === "start" ? f.main : join(f.main, g.main);
    // The start group's threshold is chosen on its own members: unchanged when B's start members stay out.
    return groups === "main" ? { ...f, main } : { ...f, main, start: join(f.start, g.start), savedStartThreshold: Number.NaN };
  });
}

/** trainFold's threshold for a group (smooth 1): Youden's cut on its training recordings, at the midpoint asked for, kept inside (0, 1). */
export function groupThreshold(g: GroupScores, midpoint: ThresholdMidpoint, combine: MemberCombine = memberMean, midpointAt = 0.5): number {
  return clampThreshold(chooseSequenceThreshold(combine(g.trainMembers, g.train.count), g.train, { criterion: "youden", split: "train", midpoint, midpointAt }));
}

/** A fold scored as one --start-models detector: its test windows (start windows first) and aligned scores, and the full windows' part. */
export interface ScoredFold {
  testWindows: WindowSet;
  testScores: Float32Array;
  fullWindows: WindowSet;
  fullScores: Float32Array;
}

/** Each fold scored by the pipeline's rule (mixFold): the start group's threshold chosen on its training windows, then the full windows'. */
export function scoreFolds(folds: readonly RunFold[], ds: FrameDataset, cfg: Pick<RunConfig, "thresholdMidpoint">, check = false, combine: MemberCombine = memberMean, midpointAt = 0.5, startAt = midpointAt): ScoredFold[] {
  const midpoint = cfg.thresholdMidpoint ?? "probability";
  return folds.map((f) => {
    const startThreshold = groupThreshold(f.start, midpoint, combine, startAt);
    if (check && startThreshold !== f.savedStartThreshold) throw new Error(`fold ${f.fold}: the start group's threshold comes out ${startThreshold}, the run saved ${f.savedStartThreshold}`);
    const m = mixFold(f.main, f.start, ds, { startThreshold, midpoint, what: `fold ${f.fold}`, combine, midpointAt });
    return { testWindows: m.testWindows, testScores: m.testScores, fullWindows: f.main.test, fullScores: m.testScores.subarray(m.testWindows.count - f.main.test.count) };
  });
}

/** Two scorings of the same folds and windows, window by window, by the lower score: an alarm needs both detectors. */
export function minOfScored(a: readonly ScoredFold[], b: readonly ScoredFold[]): ScoredFold[] {
  if (a.length !== b.length) throw new Error(`minOfScored: ${a.length} folds against ${b.length}`);
  return a.map((f, k) => {
    if (f.testScores.length !== b[k].testScores.length) throw new Error(`minOfScored: fold ${k + 1} holds ${f.testScores.length} windows against ${b[k].testScores.length}`);
    const testScores = f.testScores.map((x, i) => Math.min(x, b[k].testScores[i]));
    return { ...f, testScores, fullScores: testScores.subarray(testScores.length - f.fullScores.length) };
  });
}

/** Issue 15's figures of scored folds, pooled out of fold (alarms at 0.5). */
export function figuresOfScored(per: readonly ScoredFold[], ds: FrameDataset, stride: number): GoalFigures & { falseAlarmIds: string[]; missedFallIds: string[] } {
  const windows = concatWindowSets(per.map((p) => p.testWindows));
  const scores = concatScores(per.map((p) => p.testScores));
  const fullWindows = concatWindowSets(per.map((p) => p.fullWindows));
  const fullScores = concatScores(per.map((p) => p.fullScores));
  const replayed = replayWindowSet(ds, windows, scores, { threshold: 0.5, smooth: 1, refractorySec: DEFAULT_REFRACTORY_SEC });
  const d = detectionFigures(replayed, { refractorySec: DEFAULT_REFRACTORY_SEC });
  const falls = replayed.filter((r) => r.isFall).length;
  const adls = replayed.length - falls;
  return {
    fallsFound: falls - d.missedFalls, fallRecordings: falls, adlsRight: adls - d.falseAlarmIds.length, adlRecordings: adls,
    recordingAuc: evaluateAll(scores, windows, 0.5).sequence.auc,
    windowAuc: gridWindowAuc(ds, fullWindows, fullScores, stride).auc,
    medianDelay: d.delayFrames.median, maxAfterSegmentEnd: d.delayFrames.maxAfterSegmentEnd, falseAlarms: d.falseAlarms,
    falseAlarmIds: d.falseAlarmIds, missedFallIds: d.missedFallIds,
  };
}

/** Issue 15's figures of the folds scored as one --start-models detector, pooled out of fold. */
export function mixFigures(folds: readonly RunFold[], ds: FrameDataset, cfg: Pick<RunConfig, "thresholdMidpoint" | "stride">, check = false, combine: MemberCombine = memberMean, midpointAt = 0.5, startAt = midpointAt): GoalFigures & { falseAlarmIds: string[]; missedFallIds: string[] } {
  return figuresOfScored(scoreFolds(folds, ds, cfg, check, combine, midpointAt, startAt), ds, cfg.stride);
}

/** A --start-models run read back for a study: its config, data and metrics.json, every fold scored again by its saved members. */
export interface RescoredRun {
  cfg: RunConfig;
  ds: FrameDataset;
  folds: RunFold[];
  /** metrics.json's goals, with the false alarms of the run scored again (which equal them). */
  own: GoalRun;
  ownMissedFallIds: string[];
}

/** Read a run back and score it again by its own rule; that must give its metrics.json's goal figures (throws otherwise). */
export async function rescoredRun(runDir: string): Promise<RescoredRun> {
  const cfg = runConfig(runDir);
  const ds = resolveData({ dir: cfg.data ?? undefined, synthetic: cfg.synthetic === true, seed: cfg.seed });
  const saved = readGoalRun(runDir);
  const folds = await readRunFolds(runDir);
  const { falseAlarmIds, missedFallIds, ...again } = mixFigures(folds, ds, cfg, true, memberCombine(cfg.combine ?? "mean"));
  if (JSON.stringify(again) !== JSON.stringify(saved.figures)) {
    throw new Error(`${runDir}: scored again alone it gives ${JSON.stringify(again)}, its metrics.json ${JSON.stringify(saved.figures)}`);
  }
  return { cfg, ds, folds, own: { ...saved, falseAlarmIds }, ownMissedFallIds: missedFallIds };
}

/** Another scoring of a rescored run's folds as a goals row named `name` (figures, false and missed ids). */
export function rescoredRow(run: RescoredRun, name: string, scored: ReturnType<typeof mixFigures>): { run: GoalRun; missedFallIds: string[] } {
  const { falseAlarmIds, missedFallIds, ...figures } = scored;
  return { run: { ...run.own, name, figures, ownWindowAuc: null, falseAlarmIds }, missedFallIds };
}

/**
 * The A run alone must give its metrics.json's goal figures; then the A + B mix, its members combined by `combine`, or
 * as both runs combine their own (a default-detector run: logit-mean; an error when they differ).
 */
export async function studyPair(aDir: string, bDir: string, combine?: MemberCombineName, groups: PartnerGroups = "both"): Promise<{ alone: GoalRun; mix: GoalRun; missedFalls: { alone: string[]; mix: string[] } }> {
  const [ca, cb] = [runConfig(aDir), runConfig(bDir)];
  if (ca.seed !== cb.seed || ca.startModels !== cb.startModels || ca.stride !== cb.stride || (ca.thresholdMidpoint ?? "probability") !== (cb.thresholdMidpoint ?? "probability")) {
    throw new Error(`${aDir} and ${bDir}: not one seed with the same --start-models, --stride and --threshold-midpoint`);
  }
  const [ownA, ownB] = [ca.combine ?? "mean", cb.combine ?? "mean"];
  if (combine === undefined && ownA !== ownB) throw new Error(`${aDir} combines its members by ${ownA}, ${bDir} by ${ownB}: give --combine`);
  const a = await rescoredRun(aDir);
  const name = `${path.basename(path.resolve(aDir))}+${path.basename(path.resolve(bDir))}${groups === "both" ? "" : ` (${groups})`}`;
  const mix = rescoredRow(a, name, mixFigures(joinFolds(a.folds, await readRunFolds(bDir), `${aDir} + ${bDir}`, groups), a.ds, a.cfg, false, memberCombine(combine ?? ownA)));
  return { alone: a.own, mix: mix.run, missedFalls: { alone: a.ownMissedFallIds, mix: mix.missedFallIds } };
}

if (require.main === module) {
  new Command("group-mix-study")
    .description("two --start-models runs of one seed a pair (e.g. --model lstm and --model gru) scored as one detector, every member in its group; issue 15's goals against the first runs")
    .option("--json <file>", "also write the rows (alone and mixed, per seed) to this file")
    .addOption(new Option("--combine <how>", "how the mix's members become one score: their mean probability or mean log-odds (default: as both runs combine their own; the default detector's runs: logit-mean)").choices(["mean", "logit-mean"]))
    .addOption(new Option("--partner-groups <which>", "which of each B run's groups join A's: both, or its main (full-window) or start members only").choices([...PARTNER_GROUPS]).default("both"))
    .argument("<runs...>", "A_RUN B_RUN [A_RUN B_RUN ...]")
    .action(async (dirs: string[], o: { json?: string; combine?: MemberCombineName; partnerGroups: PartnerGroups }) => {
      if (dirs.length % 2) throw new Error("runs come in pairs, A_RUN B_RUN (one seed a pair)");
      const rows: Awaited<ReturnType<typeof studyPair>>[] = [];
      for (let i = 0; i < dirs.length; i += 2) rows.push(await studyPair(dirs[i], dirs[i + 1], o.combine, o.partnerGroups));
      console.log(goalsTable(rows.map((r) => r.mix), rows.map((r) => r.alone)));
      const missed = rows.filter((r) => r.missedFalls.mix.length + r.missedFalls.alone.length > 0);
      if (missed.length > 0) console.log(`\nFalls missed (mix; the first run alone): ${missed.map((r) => `seed ${r.mix.seed}: ${r.missedFalls.mix.join(", ") || "none"}; ${r.missedFalls.alone.join(", ") || "none"}`).join(" | ")}`);
      if (o.json) fs.writeFileSync(o.json, JSON.stringify(rows, null, 1) + "\n");
    })
    .parseAsync()
    .catch((e: unknown) => {
      console.error(`group-mix-study: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
