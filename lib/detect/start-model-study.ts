// Issue 15's "start model", fixed on 2026-12-03 before any of its scores were seen: 17 of URFD's 30 falls
// start before a recording's 32nd frame, where the default model has no window yet. The default ensemble
// keeps scoring every window of T real frames, as today; a second ensemble, trained with
// `--pad-starts T - 8` (the first frame repeated in front), scores only a stream's first windows, those
// with 8..T-1 real frames, against its own threshold (chosen on its training recordings). Both streams are
// aligned to their thresholds and replayed as one. The window AUC stays the default model's on its full
// windows (the same windows as today); the recording AUC is over the combined stream.
// `node dist/lib/detect/start-model-study.js BASE_RUN PAD_RUN [BASE_RUN PAD_RUN ...]` (runs of one seed a pair).
import * as path from "node:path";
import type { FrameDataset, WindowSet } from "../types";
import { evaluateAll } from "../evaluate";
import { alignToThreshold } from "../evaluate/align";
import { concatWindowSets, takeWindows } from "../data/split";
import { windowsWithRealFrames } from "../data/pad-starts";
import { resolveData } from "../data/load";
import { readJson } from "../run/atomic";
import { AlarmRule, ruleScores } from "./alarm-rules";
import { DEFAULT_REFRACTORY_SEC, detectionFigures } from "./delay";
import { replayWindowSet } from "./replay";
import { RescoredFold, rescoreRun } from "./rescore-run";
import { outcomeRow, RuleOutcome, studyRule, trainThreshold } from "./rule-study";

/** The fewest real frames a start window holds: what `--pad-starts T - 8` trained on. */
export const START_MIN_REAL = 8;

export interface StartModelRule {
  name: string;
  /** The default ensemble's rule on full windows. */
  full: AlarmRule;
  /** The padded ensemble's rule on a stream's first windows. */
  start: AlarmRule;
}

const TODAY: AlarmRule = { name: "today (mean, smooth 3)", aggregate: "mean", smooth: 3 };

/** The two variants studied: the padded model's windows smoothed as today's, or not at all (fewer frames to wait). */
export const START_MODEL_RULES: readonly StartModelRule[] = [
  { name: "start model (padded, mean, smooth 3) then today's", full: TODAY, start: { name: "padded mean, smooth 3", aggregate: "mean", smooth: 3 } },
  { name: "start model (padded, mean, smooth 1) then today's", full: TODAY, start: { name: "padded mean, smooth 1", aggregate: "mean", smooth: 1 } },
];

const testRecordings = (ws: Pick<WindowSet, "seq" | "sequenceIds">): string => [...new Set(Array.from(ws.seq, (s) => ws.sequenceIds[s]))].sort().join(",");

/**
 * One fold's combined test stream: the padded model's start windows (fewer than T real frames), then the default's
 * full windows, each aligned to its own training threshold (0.5 is then the alarm threshold of both).
 */
export function combineStart(base: RescoredFold, pad: RescoredFold, rule: StartModelRule, ds: FrameDataset): { windows: WindowSet; scores: Float32Array; fullScores: Float32Array } {
  if (testRecordings(base.test) !== testRecordings(pad.test)) throw new Error(`fold ${base.fold}: the two runs test different recordings (run them with the same seed and folds)`);
  const fullScores = alignToThreshold(ruleScores(rule.full, base.testMembers, base.test), trainThreshold(rule.full, base));
  const padScores = alignToThreshold(ruleScores(rule.start, pad.testMembers, pad.test), trainThreshold(rule.start, pad));
  const full = new Set(windowsWithRealFrames(pad.test, ds, pad.test.T));
  const early = windowsWithRealFrames(pad.test, ds, START_MIN_REAL).filter((i) => !full.has(i));
  const windows = concatWindowSets([takeWindows(pad.test, early), base.test]);
  const scores = new Float32Array(windows.count);
  scores.set(early.map((i) => padScores[i]));
  scores.set(fullScores, early.length);
  return { windows, scores, fullScores };
}

function concatScores(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The rule on every fold, the test side pooled out of fold: issue 15's figures (window AUC on full windows only). */
export function studyStartModel(base: readonly RescoredFold[], pad: readonly RescoredFold[], rule: StartModelRule, ds: FrameDataset): RuleOutcome {
  if (base.length !== pad.length || base.some((b, k) => b.fold !== pad[k].fold)) throw new Error("the two runs have different folds");
  const per = base.map((b, k) => combineStart(b, pad[k], rule, ds));
  const windows = concatWindowSets(per.map((p) => p.windows));
  const scores = concatScores(per.map((p) => p.scores));
  const fullWindows = concatWindowSets(base.map((b) => b.test));
  const fullScores = concatScores(per.map((p) => p.fullScores));
  const windowAuc = evaluateAll(fullScores, fullWindows, 0.5).window.auc;
  const replayed = replayWindowSet(ds, windows, scores, { threshold: 0.5, smooth: 1, refractorySec: DEFAULT_REFRACTORY_SEC });
  const d = detectionFigures(replayed, { refractorySec: DEFAULT_REFRACTORY_SEC });
  const falls = replayed.filter((r) => r.isFall).length;
  const adls = replayed.length - falls;
  return {
    rule: rule.name,
    figures: {
      fallsFound: falls - d.missedFalls, fallRecordings: falls, adlsRight: adls - d.falseAlarmIds.length, adlRecordings: adls,
      recordingAuc: evaluateAll(scores, windows, 0.5).sequence.auc, windowAuc,
      medianDelay: d.delayFrames.median, maxAfterSegmentEnd: d.delayFrames.maxAfterSegmentEnd, falseAlarms: d.falseAlarms,
    },
    thresholds: [],
    fullWindowAuc: windowAuc,
    falseAlarmIds: d.falseAlarmIds,
    missedFallIds: d.missedFallIds,
  };
}

if (require.main === module) {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0 || dirs.length % 2) {
    console.error("usage: node dist/lib/detect/start-model-study.js BASE_RUN PAD_RUN [BASE_RUN PAD_RUN ...]  (a default run and a --pad-starts 24 run of one seed, written with --folds)");
    process.exit(2);
  }
  (async () => {
    console.log("| run | rule | falls | ADLs right | recording AUC | window AUC | window AUC, T real frames | median delay | latest after end | false alarms | goals met |");
    console.log("|---|---|---|---|---|---|---|---|---|---|---|");
    for (let i = 0; i < dirs.length; i += 2) {
      const cfg = (dir: string) => (readJson(path.join(dir, "metrics.json")) as { config: { data: string | null; synthetic?: boolean; seed: number; padStarts?: number; window: number } }).config;
      const [b, p] = [cfg(dirs[i]), cfg(dirs[i + 1])];
      if (b.seed !== p.seed) throw new Error(`${dirs[i]} (seed ${b.seed}) and ${dirs[i + 1]} (seed ${p.seed}): not one seed`);
      if ((b.padStarts ?? 0) !== 0 || (p.padStarts ?? 0) !== b.window - START_MIN_REAL) throw new Error(`${dirs[i]} must be unpadded and ${dirs[i + 1]} padded by ${b.window - START_MIN_REAL} (--pad-starts)`);
      const ds = resolveData({ dir: b.data ?? undefined, synthetic: b.synthetic === true, seed: b.seed });
      const base = await rescoreRun(dirs[i]);
      const pad = await rescoreRun(dirs[i + 1], { ds, padMinReal: START_MIN_REAL });
      const label = `${path.basename(dirs[i])} + ${path.basename(dirs[i + 1])} (seed ${b.seed})`;
      console.log(outcomeRow(label, studyRule(base, TODAY, ds)));
      for (const rule of START_MODEL_RULES) console.log(outcomeRow(label, studyStartModel(base, pad, rule, ds)));
    }
  })().catch((err: Error) => {
    console.error(`start-model-study: ${err.message}`);
    process.exitCode = 1;
  });
}
