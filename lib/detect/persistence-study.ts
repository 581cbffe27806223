// Would an alarm that needs the score over the threshold on k scored windows in a row drop the false alarms
// raised on brief spikes (adl-10 at the deployment point: 1–3 frames over it while the silhouette flickers),
// and what would it cost in delay? Replays a finished run's test recordings through its saved detectors
// (verifyRun: k = 1 must reproduce metrics.json) and re-derives the alarms for each k; no retraining, and the
// threshold stays the fold's, so the AUCs do not change.
// `node dist/lib/detect/persistence-study.js [--k 1,2,3] RUN_DIR...` prints issue 15's goals per k against k = 1.
import { Command, InvalidArgumentError } from "commander";
import type { AlarmEvent } from "./alarms";
import { detectionFigures, refractoryFrames } from "./delay";
import { GoalRun, goalsTable, readGoalRun } from "./goals-table";
import { verifyRun } from "./verify-run";

/**
 * The alarms of one recording's scored windows (in frame order) when an alarm needs this window and the k − 1
 * scored windows before it all at or over `threshold`; one alarm per refractory period. k = 1 is the detector's own
 * rule on the scores it smoothed.
 */
export function persistentAlarms(windows: readonly { frame: number; score: number }[], k: number, threshold: number, refractory: number, fps: number): AlarmEvent[] {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number of windows >= 1, got ${k}`);
  const alarms: AlarmEvent[] = [];
  let over = 0;
  let last: number | null = null;
  for (const w of windows) {
    over = w.score >= threshold ? over + 1 : 0;
    if (over >= k && (last === null || w.frame - last >= refractory)) {
      last = w.frame;
      alarms.push({ frame: w.frame, timeSec: w.frame / fps, score: w.score });
    }
  }
  return alarms;
}

/** The run's goal figures with each k's alarms (the AUCs are the run's). Throws when k = 1's replay does not give metrics.json's figures. */
export async function persistenceRuns(runDir: string, ks: readonly number[]): Promise<{ k: number; run: GoalRun }[]> {
  const base = readGoalRun(runDir);
  const check = await verifyRun(runDir);
  if (check.decisionMismatches.length > 0 || !check.detectionEqual) {
    throw new Error(`${runDir}: replaying the saved detectors does not give metrics.json's alarms (${check.decisionMismatches.join(", ") || "the detection block differs"})`);
  }
  const { refractorySec, fps } = check.detection;
  const refractory = refractoryFrames(refractorySec, fps);
  return ks.map((k) => {
    const recordings = check.replayed.map((r) => ({ ...r, alarms: persistentAlarms(r.windows, k, r.threshold, refractory, fps) }));
    const d = detectionFigures(recordings, { refractorySec, fps });
    const falls = recordings.filter((r) => r.isFall);
    const adls = recordings.filter((r) => !r.isFall);
    const figures = {
      ...base.figures,
      fallsFound: falls.filter((r) => r.alarms.length > 0).length,
      fallRecordings: falls.length,
      adlsRight: adls.filter((r) => r.alarms.length === 0).length,
      adlRecordings: adls.length,
      medianDelay: d.delayFrames.median,
      maxAfterSegmentEnd: d.delayFrames.maxAfterSegmentEnd,
      falseAlarms: d.falseAlarms,
    };
    return { k, run: { ...base, figures, falseAlarmIds: d.falseAlarmIds } };
  });
}

function parseKs(v: string): number[] {
  const ks = v.split(",").map(Number);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k > 30)) throw new InvalidArgumentError("a comma-separated list of whole numbers 1..30");
  return ks;
}

if (require.main === module) {
  new Command("persistence-study")
    .description("Issue 15's goals of finished runs when an alarm needs k scored windows in a row over the threshold (the runs' saved detectors replayed; k = 1 reproduces each metrics.json)")
    .option("--k <list>", "window counts to compare, e.g. 1,2,3 (the first is the table the others are compared with)", parseKs, [1, 2, 3])
    .argument("<runs...>", "pipeline run folders written with --folds")
    .action(async (runs: string[], o: { k: number[] }) => {
      const rows = [];
      for (const run of runs) rows.push(await persistenceRuns(run, o.k));
      for (const k of o.k) {
        console.log(`\n### k = ${k}${k === 1 ? " (the detector's own rule)" : ""}\n`);
        console.log(goalsTable(rows.map((r) => r.find((x) => x.k === k)!.run), k === o.k[0] ? [] : rows.map((r) => r[0].run)));
      }
    })
    .parseAsync()
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    });
}
