// Issue 15's goals per run, as the README's results tables give them: one row per pipeline run (a seed),
// misses in bold, and what the runs meet together; optionally against another set of runs of the same seeds
// (the rule for a new default: more goals on no seed fewer). Pure: metrics.json contents in, markdown out.
import * as path from "node:path";
import type { MetricsJson } from "../pipeline/metrics-json";
import { readJson } from "../run/atomic";
import { GoalFigures, GoalName, goalsMet } from "./goals";

export interface GoalRun {
  /** The run's folder name, as the rows name it. */
  name: string;
  seed: number;
  figures: GoalFigures;
  /** The window AUC over the run's own windows, where the goal is judged on another set (padded or every-frame runs). */
  ownWindowAuc: number | null;
  /** Which window set `figures.windowAuc` is over: the run's own, or the default's (full windows on the --stride grid). */
  windowSet: "own" | "full windows on the grid" | "full windows";
  falseAlarmIds: string[];
}

type GoalMetrics = Partial<Pick<MetricsJson, "data">> & Pick<MetricsJson, "config" | "window" | "windowUnpadded" | "windowOnGrid" | "sequence" | "detection">;

/** One run's goal figures from its metrics.json; the window AUC on the --stride grid's full windows where the run has it. */
export function goalRunFromMetrics(m: GoalMetrics, name: string): GoalRun {
  if (!m.detection?.delayFrames) throw new Error(`${name}: metrics.json has no detection block (written before issue 15's alarms, or not by the pipeline)`);
  const [[tn, fp], [fn, tp]] = m.sequence.confusionMatrix;
  const other = m.windowOnGrid ?? m.windowUnpadded;
  // Recordings shorter than --window get no window: the pipeline warns and leaves them out of every fold.
  const leftOut = typeof m.data?.sequences === "number" ? m.data.sequences - (tn + fp + fn + tp) : 0;
  return {
    name,
    seed: m.config.seed,
    figures: {
      fallsFound: tp,
      fallRecordings: fn + tp,
      adlsRight: tn,
      adlRecordings: tn + fp,
      recordingAuc: m.sequence.auc,
      windowAuc: other ? other.auc : m.window.auc,
      medianDelay: m.detection.delayFrames.median,
      maxAfterSegmentEnd: m.detection.delayFrames.maxAfterSegmentEnd,
      falseAlarms: m.detection.falseAlarms,
      ...(leftOut > 0 ? { recordingsLeftOut: leftOut } : {}),
    },
    ownWindowAuc: other ? m.window.auc : null,
    windowSet: m.windowOnGrid ? "full windows on the grid" : m.windowUnpadded ? "full windows" : "own",
    falseAlarmIds: m.detection.falseAlarmIds,
  };
}

/** A run folder's goal figures (its metrics.json); errors name the file. */
export function readGoalRun(dir: string): GoalRun {
  const file = path.join(dir, "metrics.json");
  const m = readJson(file) as GoalMetrics;
  if (!m || typeof m !== "object" || !m.config || !m.sequence?.confusionMatrix || !m.window) throw new Error(`${file}: not a pipeline run's metrics.json (no config, window or sequence block)`);
  const run = goalRunFromMetrics(m, path.basename(path.resolve(dir)));
  checkFigures(run, file);
  return run;
}

/** Every figure a number (or null where the goals allow "n/a"), the seed an integer, the ids strings: a hand-edited file fails here, named. */
function checkFigures(r: GoalRun, file: string): void {
  // Each figure, where metrics.json holds it, and whether it may be null ("n/a") or must be a whole number.
  const fields: [keyof GoalFigures, string, "count" | "maybe"][] = [
    ["fallsFound", "sequence.confusionMatrix", "count"], ["fallRecordings", "sequence.confusionMatrix", "count"],
    ["adlsRight", "sequence.confusionMatrix", "count"], ["adlRecordings", "sequence.confusionMatrix", "count"],
    ["falseAlarms", "detection.falseAlarms", "count"], ["recordingAuc", "sequence.auc", "maybe"],
    ["windowAuc", "window.auc (or windowOnGrid.auc)", "maybe"], ["medianDelay", "detection.delayFrames.median", "maybe"],
    ["maxAfterSegmentEnd", "detection.delayFrames.maxAfterSegmentEnd", "maybe"],
  ];
  for (const [k, field, kind] of fields) {
    const v = r.figures[k];
    if (kind === "count" ? !Number.isInteger(v) : v !== null && typeof v !== "number") {
      throw new Error(`${file}: ${field} must ${kind === "count" ? "hold whole numbers" : "be a number or null"}, got ${JSON.stringify(v)}`);
    }
  }
  if (r.ownWindowAuc !== null && typeof r.ownWindowAuc !== "number") throw new Error(`${file}: window.auc must be a number or null, got ${JSON.stringify(r.ownWindowAuc)}`);
  if (!Number.isInteger(r.seed)) throw new Error(`${file}: config.seed must be an integer, got ${JSON.stringify(r.seed)}`);
  if (!Array.isArray(r.falseAlarmIds) || !r.falseAlarmIds.every((id) => typeof id === "string")) throw new Error(`${file}: detection.falseAlarmIds must be a list of recording ids`);
}

const GOAL_ORDER: readonly GoalName[] = ["allFalls", "adls", "recordingAuc", "windowAuc", "medianDelay", "afterSegmentEnd", "falseAlarms"];
const GOAL_WORDS: Record<GoalName, string> = {
  allFalls: "every fall found",
  adls: "ADLs",
  recordingAuc: "recording AUC",
  windowAuc: "window AUC",
  medianDelay: "median delay",
  afterSegmentEnd: "the latest alarm",
  falseAlarms: "false alarms",
};

export const goalCount = (f: GoalFigures): number => Object.values(goalsMet(f)).filter(Boolean).length;

const fix = (x: number | null, d = 4): string => (x === null ? "n/a" : x.toFixed(d));
const bold = (text: string, met: boolean): string => (met ? text : `**${text}**`);

/** One markdown row: seed, falls, ADLs right (false alarm ids), recording AUC, window AUC (own), median delay, latest, alarms on ADLs, goals. */
export function goalRow(r: GoalRun): string {
  const f = r.figures;
  const met = goalsMet(f);
  const ids = r.falseAlarmIds.map((id) => id.replace(/^adl-/, ""));
  const own = r.ownWindowAuc === null ? "" : ` (${fix(r.ownWindowAuc)})`;
  const leftOut = f.recordingsLeftOut ? ` (${f.recordingsLeftOut} recordings left out)` : "";
  return `| ${r.seed} | ${bold(`${f.fallsFound}/${f.fallRecordings}`, met.allFalls)}${leftOut} | ${bold(`${f.adlsRight}/${f.adlRecordings}`, met.adls)}${ids.length ? ` (adl ${ids.join(", ")})` : ""} | ${bold(fix(f.recordingAuc), met.recordingAuc)} | ${bold(fix(f.windowAuc), met.windowAuc)}${own} | ${bold(f.medianDelay === null ? "n/a" : String(f.medianDelay), met.medianDelay)} | ${bold(f.maxAfterSegmentEnd === null ? "n/a" : String(f.maxAfterSegmentEnd), met.afterSegmentEnd)} | ${bold(String(f.falseAlarms), met.falseAlarms)} | ${goalCount(f)}/7 |`;
}

/** Seeds joined for a sentence ("none" when there are none). */
const seedList = (seeds: readonly number[]): string => (seeds.length ? seeds.join(", ") : "none");

/** The table of `runs` (one per seed), what they meet together, and against `against` (matched by seed), if given. */
export function goalsTable(runs: readonly GoalRun[], against: readonly GoalRun[] = []): string {
  const seen = new Set<number>();
  for (const r of runs) {
    if (seen.has(r.seed)) throw new Error(`${r.name}: seed ${r.seed} twice (one run a seed)`);
    seen.add(r.seed);
  }
  const theirSeeds = new Set<number>();
  for (const a of against) {
    if (theirSeeds.has(a.seed)) throw new Error(`${a.name}: seed ${a.seed} twice among the runs compared against (one run a seed)`);
    theirSeeds.add(a.seed);
  }
  // Goals counted over other recordings (another data set, a subset, generated data) are not comparable.
  const recordings = (r: GoalRun) => `${r.figures.fallRecordings} falls and ${r.figures.adlRecordings} ADLs`;
  const first = runs[0] ?? against[0];
  const stranger = first && [...runs, ...against].find((r) => recordings(r) !== recordings(first));
  if (first && stranger) throw new Error(`${stranger.name}: ${recordings(stranger)}, but ${first.name}: ${recordings(first)} (runs on other data cannot share a table)`);
  const sorted = [...runs].sort((a, b) => a.seed - b.seed);
  const other = sorted.some((r) => r.windowSet !== "own");
  const lines = [
    `| seed | falls | ADLs right (false alarms) | recording AUC | window AUC${other ? " (own)" : ""} | median delay (frames) | latest alarm after the falling segment | alarms on ADLs | goals met |`,
    "|---|---|---|---|---|---|---|---|---|",
    "| goal | 30/30 | ≥ 39/40 | ≥ 0.995 | ≥ 0.97 | ≤ 15 (0.5 s) | ≤ 15 frames | ≤ 1 | 7/7 |",
    ...sorted.map(goalRow),
    "",
  ];
  const per = GOAL_ORDER.map((g) => `${GOAL_WORDS[g]} on ${sorted.filter((r) => goalsMet(r.figures)[g]).length}`);
  const counts = sorted.map((r) => goalCount(r.figures));
  const all = sorted.filter((_, k) => counts[k] === 7).map((r) => r.seed);
  const total = counts.reduce((a, n) => a + n, 0);
  lines.push(`Over the ${sorted.length} seeds: ${per.join(", ")}; all seven on ${all.length ? `seeds ${seedList(all)}` : "none"} (${total} goals).`);
  if (other) lines.push("Window AUC over the --stride grid's full windows (metrics.json → windowOnGrid, else windowUnpadded), the run's own in brackets.");
  if (against.length) {
    const theirs = new Map(against.map((a) => [a.seed, goalCount(a.figures)]));
    const more: number[] = [];
    const same: number[] = [];
    const fewer: number[] = [];
    const missing: number[] = [];
    let ours = 0;
    let theirTotal = 0;
    for (const r of sorted) {
      const t = theirs.get(r.seed);
      if (t === undefined) {
        missing.push(r.seed);
        continue;
      }
      const n = goalCount(r.figures);
      ours += n;
      theirTotal += t;
      (n > t ? more : n < t ? fewer : same).push(r.seed);
    }
    lines.push(
      `Against the other runs, seed by seed: more goals on ${seedList(more)}, as many on ${seedList(same)}, fewer on ${seedList(fewer)} (${ours} goals against ${theirTotal})` +
        `${missing.length ? `; no run to compare on seeds ${seedList(missing)}` : ""}.` +
        ` ${fewer.length === 0 && more.length > 0 && missing.length === 0 ? "Fewer goals on no seed: against these runs the rule for a new default holds." : "Not a new default over these runs: a default changes only where it wins on every seed."}`,
    );
  }
  return lines.join("\n");
}
