// Two detectors of one seed scored together, without training: issue 15's twenty-fourth round found that windows of 48
// frames spare some daily activities the 32-frame default alarms on (adl-33) and alarm on others (adl-10, adl-35).
// Each fold's saved detectors (FallDetector.fromDir) replay that fold's test recordings frame by frame; each frame's
// scores, each aligned to its own threshold (0.5), are combined by their mean log-odds and judged at 0.5, as the
// deploy detector combines its members. The goals are read as `npm run goals` reads them. Alone (no --with), a run is
// scored the same way and must give its metrics.json figures: the check that this scoring is the pipeline's. A
// --second-window run (the default since the twenty-eighth round) is a pair itself: its two detectors' aligned scores are
// read apart from its replay, checked to join back to its own scores, and joined by the rules asked.
// node dist/lib/detect/window-mix-study.js RUN_1 ... RUN_N [--with OTHER_1,...,OTHER_N] [--rule logit-mean|min|min-agree|min-agree-mean] [--hold K] [--second-level L] [--first-level L] [--against BASE_1,...] [--json F]
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import type { FrameDataset } from "../types";
import { resolveData } from "../data/load";
import { DEFAULT_STRIDE, DEFAULT_T, makeWindows } from "../data/windows";
import { auc } from "../evaluate/metrics";
import { logitMeanOf } from "../evaluate/member-combine";
import { recordingAlarms } from "./alarms";
import { DEFAULT_REFRACTORY_SEC, detectionFigures, refractoryFrames, RecordingDetection, URFD_FPS } from "./delay";
import type { GoalFigures } from "./goals";
import { GoalRun, goalsTable, readGoalRun } from "./goals-table";
import type { DatasetReplay } from "./replay-dataset";
import { replayFolds, ReplayRunConfig, replayRunConfig } from "./replay-run";
import { scoredEnds, windowAucOnReference } from "./window-length-study";
import { HeldJoin, joinRule, SECOND_WINDOW_RULES, SecondWindowRule } from "./second-window";
import { alignToThreshold } from "../evaluate/align";

/** One recording as scored: its frames' aligned scores (threshold 0.5), in time order. */
export interface ScoredRecording extends Omit<RecordingDetection, "alarms"> {
  frames: number[];
  scores: number[];
}

/** A replay's windows as aligned scores (the detector's own threshold mapped to 0.5 where it is not there already). */
export function scoredFromReplay(r: DatasetReplay): ScoredRecording {
  if (r.threshold !== 0.5) throw new Error(`${r.id}: replayed against threshold ${r.threshold}; this study takes start-model detectors (scores aligned to 0.5)`);
  return { id: r.id, isFall: r.isFall, fallingSegment: r.fallingSegment, firstFrame: r.firstFrame, lastFrame: r.lastFrame, frames: r.windows.map((w) => w.frame), scores: r.windows.map((w) => w.score) };
}

/**
 * A two-window run's replay (`--second-window`: each frame carries both detectors' aligned scores) as its two
 * scorings, first and second, each as if replayed alone; null for a one-detector replay.
 */
export function splitReplay(r: DatasetReplay): [ScoredRecording, ScoredRecording] | null {
  if (r.windows.length === 0 || r.windows.some((w) => w.detectors === undefined)) {
    if (r.windows.some((w) => w.detectors !== undefined)) throw new Error(`${r.id}: some windows carry both detectors' scores and some do not`);
    return null;
  }
  const joined = scoredFromReplay(r);
  const one = (which: "first" | "second"): ScoredRecording => ({ ...joined, frames: joined.frames.slice(), scores: r.windows.map((w) => w.detectors![which]) });
  return [one("first"), one("second")];
}

/**
 * How two aligned scores of a frame become one: their mean log-odds, the lower (an alarm needs both), or `min`'s alarms
 * ranked by the mean log-odds where both agree (joinAgreeing).
 */
export type FuseRule = "logit-mean" | SecondWindowRule;
export const FUSE_RULES: readonly FuseRule[] = ["logit-mean", ...SECOND_WINDOW_RULES];

/**
 * Two scorings of the same recordings, frame by frame (the frames scored must be the same); with `hold` > 0 the alarms
 * of the scorings held that many frames (HeldJoin). `secondLevel` < 0.5 lowers the second's threshold to that aligned
 * score (its scores mapped so `secondLevel` lands on 0.5, as each fold's threshold was): it confirms sooner, vetoes less.
 * `firstLevel` < 0.5 does the same to the first's scores (a study of issue 15's seed 61, whose fall the first detector
 * scored 0.499 at most; not a rule the pipeline has).
 */
export function fuse(a: readonly ScoredRecording[], b: readonly ScoredRecording[], rule: FuseRule = "logit-mean", hold = 0, secondLevel = 0.5, firstLevel = 0.5): ScoredRecording[] {
  if (!(firstLevel > 0 && firstLevel <= 0.5)) throw new RangeError(`the first window's level must be an aligned score in (0, 0.5], got ${firstLevel}`);
  const one = rule === "logit-mean" ? (x: number, y: number) => logitMeanOf([x, y]) : joinRule(rule);
  const other = new Map(b.map((r) => [r.id, r]));
  if (other.size !== a.length) throw new Error(`fuse: ${a.length} recordings against ${other.size}`);
  return a.map((r) => {
    const o = other.get(r.id);
    if (!o) throw new Error(`fuse: ${r.id} is scored by one detector only`);
    if (o.frames.length !== r.frames.length || o.frames.some((f, i) => f !== r.frames[i])) throw new Error(`fuse: ${r.id}: the two detectors score other frames (${r.frames[0]}.. against ${o.frames[0]}..)`);
    const joined = new HeldJoin(one, hold, secondLevel);
    // The first's level moved as HeldJoin moves the second's: the same mapping, its threshold `firstLevel` put on 0.5.
    const first = firstLevel === 0.5 ? r.scores : Array.from(alignToThreshold(r.scores, firstLevel));
    return { ...r, scores: first.map((s, i) => joined.push(r.frames[i], s, o.scores[i])) };
  });
}

/** Issue 15's figures of scored recordings (all folds pooled), alarms at 0.5 as the deploy detector raises them. */
export function figuresOf(recs: readonly ScoredRecording[], reference: Parameters<typeof windowAucOnReference>[2], refractorySec = DEFAULT_REFRACTORY_SEC): { figures: GoalFigures; falseAlarmIds: string[] } {
  const settings = { threshold: 0.5, smooth: 1, refractoryFrames: refractoryFrames(refractorySec, URFD_FPS), fps: URFD_FPS };
  const detections: RecordingDetection[] = recs.map((r) => ({ ...r, alarms: recordingAlarms(r.frames, r.scores, settings).alarms }));
  const d = detectionFigures(detections, { refractorySec });
  // A recording scores its most fall-like window, float32 as the pipeline keeps scores.
  const maxOf = (r: ScoredRecording) => Math.fround(Math.max(...r.scores));
  const { windows, scores } = scoredEnds(recs);
  const falls = recs.filter((r) => r.isFall);
  const adls = recs.filter((r) => !r.isFall);
  return {
    figures: {
      fallsFound: falls.length - d.missedFalls,
      fallRecordings: falls.length,
      adlsRight: adls.length - d.falseAlarmIds.length,
      adlRecordings: adls.length,
      recordingAuc: auc(recs.map(maxOf), recs.map((r) => (r.isFall ? 1 : 0))),
      windowAuc: windowAucOnReference(windows, scores, reference).auc,
      medianDelay: d.delayFrames.median,
      maxAfterSegmentEnd: d.delayFrames.maxAfterSegmentEnd,
      falseAlarms: d.falseAlarms,
    },
    falseAlarmIds: d.falseAlarmIds,
  };
}

/**
 * Every test recording of a --folds run, scored by its fold's saved detector; a --second-window run's two detectors
 * also apart (`split`, null for a one-detector run).
 */
export async function scoreRun(run: string, ds: FrameDataset): Promise<{ cfg: ReplayRunConfig; recs: ScoredRecording[]; split: [ScoredRecording[], ScoredRecording[]] | null }> {
  const cfg = replayRunConfig(run);
  const replays = await replayFolds(run, cfg, ds);
  const pairs = replays.map(splitReplay);
  const split = pairs.every((p) => p !== null) ? ([pairs.map((p) => p![0]), pairs.map((p) => p![1])] as [ScoredRecording[], ScoredRecording[]]) : null;
  return { cfg, recs: replays.map(scoredFromReplay), split };
}

/** The run's own join of its two detectors (`c`, metrics.json's config), re-fused from the split: it must give the run's scores frame for frame. */
export function checkSplit(run: string, c: Pick<ReplayRunConfig, "secondWindowRule" | "secondWindowHold" | "secondWindowLevel">, joined: readonly ScoredRecording[], split: [ScoredRecording[], ScoredRecording[]]): void {
  if (!FUSE_RULES.includes(c.secondWindowRule as FuseRule)) throw new Error(`${run}: metrics.json's config has no second-window rule this study knows (${c.secondWindowRule})`);
  const again = fuse(split[0], split[1], c.secondWindowRule as FuseRule, c.secondWindowHold ?? 0, c.secondWindowLevel ?? 0.5);
  const own = new Map(joined.map((r) => [r.id, r]));
  for (const r of again) {
    const want = own.get(r.id)!.scores;
    const bad = r.scores.findIndex((x, i) => x !== want[i]);
    if (bad >= 0) throw new Error(`${run}: ${r.id} frame ${r.frames[bad]}: its two detectors joined by ${c.secondWindowRule} give ${r.scores[bad]}, the run's detector ${want[bad]}: this study does not join as the detector does`);
  }
}

/** A run scored alone must give its metrics.json figures (the window AUC: over the --stride grid's full windows, the reference's when T is 32). */
function checkAlone(run: string, cfg: ReplayRunConfig, recs: readonly ScoredRecording[], reference: Parameters<typeof windowAucOnReference>[2]): void {
  const saved = readGoalRun(run).figures;
  const { figures } = figuresOf(recs, reference);
  const want = JSON.stringify(saved);
  const got = JSON.stringify({ ...figures, windowAuc: cfg.window === DEFAULT_T ? figures.windowAuc : saved.windowAuc });
  if (got !== want) throw new Error(`${run}: scored alone it gives ${got}, its metrics.json ${want}: this study does not score as the pipeline did`);
}

if (require.main === module) {
  const program = new Command()
    .name("window-mix-study")
    .argument("<runs...>", "--folds runs of start-model detectors, one a seed (a --second-window run brings its own second detector)")
    .option("--with <dirs>", "runs of the same seeds (comma-separated, in the same order) whose detectors score beside them")
    .option("--rule <rules>", `how a frame's two scores become one, comma-separated: ${FUSE_RULES.join(", ")}`, "logit-mean")
    .option("--hold <frames>", "alarm where the two aligned scores, each held for this many frames, join to 0.5 (scores lifted to 0.5 there, no higher); comma-separated for several (0: none)", "0")
    .option("--second-level <levels>", "the --with detector's alarm level on its aligned scores (0.5: its own threshold; lower: it confirms sooner and vetoes less); comma-separated for several", "0.5")
    .option("--first-level <levels>", "the first detector's alarm level on its aligned scores (0.5: its own threshold; a study, not a pipeline rule); comma-separated for several", "0.5")
    .option("--against <dirs>", "runs to compare with, seed by seed (comma-separated)")
    .option("--json <file>", "write the rows (by rule) as JSON")
    .parse();
  const runs = program.args;
  const o = program.opts<{ with?: string; rule: string; hold: string; secondLevel: string; firstLevel: string; against?: string; json?: string }>();
  const holds = o.hold.split(",").map(Number);
  const levels = o.secondLevel.split(",").map(Number);
  const firstLevels = o.firstLevel.split(",").map(Number);
  // A row a rule, hold and levels: "min-agree", "min-agree hold 6", "min-agree hold 6 level 0.4" or "... first level 0.49".
  const rules = (o.rule.split(",") as FuseRule[]).flatMap((rule) =>
    holds.flatMap((hold) =>
      levels.flatMap((level) =>
        firstLevels.map((firstLevel) => ({ rule, hold, level, firstLevel, label: `${rule}${hold > 0 ? ` hold ${hold}` : ""}${level !== 0.5 ? ` level ${level}` : ""}${firstLevel !== 0.5 ? ` first level ${firstLevel}` : ""}` })),
      ),
    ),
  );
  const others = o.with ? o.with.split(",") : null;
  (async () => {
    if (others && others.length !== runs.length) throw new Error(`--with names ${others.length} runs for ${runs.length}`);
    const bad = rules.find((r) => !FUSE_RULES.includes(r.rule));
    if (bad !== undefined) throw new Error(`--rule must be among ${FUSE_RULES.join(", ")}, got "${bad.rule}"`);
    const badHold = holds.find((h) => !Number.isInteger(h) || h < 0);
    if (badHold !== undefined) throw new Error(`--hold must be whole numbers of frames >= 0, got "${o.hold}"`);
    if (levels.some((l) => !(l > 0 && l <= 0.5))) throw new Error(`--second-level must be aligned scores in (0, 0.5], got "${o.secondLevel}"`);
    if (firstLevels.some((l) => !(l > 0 && l <= 0.5))) throw new Error(`--first-level must be aligned scores in (0, 0.5], got "${o.firstLevel}"`);
    const { initBackend } = await import("../backend");
    await initBackend();
    // Rows by rule for pairs (--with, or --second-window runs, which are pairs themselves); "alone" for one-detector runs alone.
    const rows = new Map<string, GoalRun[]>([...rules.map((r) => r.label), "alone"].map((r) => [r, []]));
    // Seeds of one data folder share its recordings and the 32-frame reference windows: made once (synthetic data differs by seed).
    const loaded = new Map<string, { ds: FrameDataset; reference: ReturnType<typeof makeWindows> }>();
    for (const [i, run] of runs.entries()) {
      const cfg = replayRunConfig(run);
      const key = cfg.synthetic === true ? `synthetic ${cfg.seed}` : `dir ${cfg.data}`;
      if (!loaded.has(key)) {
        const data = resolveData({ dir: cfg.data ?? undefined, synthetic: cfg.synthetic === true, seed: cfg.seed });
        loaded.set(key, { ds: data, reference: makeWindows(data, { T: DEFAULT_T, stride: DEFAULT_STRIDE, withDiffs: true }) });
      }
      const { ds, reference } = loaded.get(key)!;
      const a = await scoreRun(run, ds);
      checkAlone(run, cfg, a.recs, reference);
      if (a.split && others) throw new Error(`${run}: a --second-window run scores its two detectors itself; drop --with`);
      const name = path.basename(path.resolve(run));
      const row = (label: string, recs: readonly ScoredRecording[]) => {
        const { figures, falseAlarmIds } = figuresOf(recs, reference);
        rows.get(label)!.push({ name: others ? `${name}+${path.basename(path.resolve(others[i]))}` : name, seed: cfg.seed, figures, ownWindowAuc: null, windowSet: "own", falseAlarmIds });
        console.error(`${label} seed ${cfg.seed}: ${figures.fallsFound}/${figures.fallRecordings}, ${figures.adlsRight}/${figures.adlRecordings} (${falseAlarmIds.join(", ")})`);
      };
      if (a.split) {
        checkSplit(run, cfg, a.recs, a.split);
        for (const r of rules) row(r.label, fuse(a.split[0], a.split[1], r.rule, r.hold, r.level, r.firstLevel));
        continue;
      }
      if (!others) {
        row("alone", a.recs);
        continue;
      }
      const b = await scoreRun(others[i], ds);
      if (b.cfg.seed !== cfg.seed || b.cfg.folds !== cfg.folds) throw new Error(`${others[i]}: seed ${b.cfg.seed}, ${b.cfg.folds} folds; ${run}: seed ${cfg.seed}, ${cfg.folds} folds (the same folds are needed)`);
      checkAlone(others[i], b.cfg, b.recs, reference);
      for (const r of rules) row(r.label, fuse(a.recs, b.recs, r.rule, r.hold, r.level, r.firstLevel));
    }
    const against = o.against ? o.against.split(",").map(readGoalRun) : [];
    // Only the kinds of row the runs gave (pairs, runs alone or both).
    const filled = [...rows].filter(([, list]) => list.length > 0);
    for (const [label, list] of filled) {
      console.log(`\n${label === "alone" ? "Each run alone (its metrics.json figures, checked)" : `--rule ${label}`}:\n`);
      console.log(goalsTable(list, against));
    }
    console.log("\nWindow AUC over the default's windows (32 frames, every 4 frames, full), each scored by the window ending on its last frame.");
    if (o.json) fs.writeFileSync(o.json, JSON.stringify(Object.fromEntries(filled), null, 1) + "\n");
    process.exit(0);
  })().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
