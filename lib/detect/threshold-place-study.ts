// Issue 15, a nineteenth round (2026-12-06): where in its training gap each threshold of a default-detector run sits.
// The pipeline puts both thresholds (full windows, start windows) at the log-odds midpoint of the gap around Youden's
// cut on the training recordings; here they sit `at` of the way from the highest training score below the cut to the
// lowest above it (0.5 = the pipeline's), the members unchanged; `--start-at` keeps the start group's at its own place.
// A run scored again at 0.5 must give its metrics.json.
// `node dist/lib/detect/threshold-place-study.js --at 0.6,0.7 [--start-at 0.5] RUN...` prints issue 15's goals at each place against the run's own.
import * as fs from "node:fs";
import { Command } from "commander";
import { memberCombine } from "../evaluate/member-combine";
import { GoalRun, goalsTable } from "./goals-table";
import { mixFigures, rescoredRow, rescoredRun } from "./group-mix-study";

export interface PlacedRun {
  /** The run as the pipeline scored it (checked against its metrics.json). */
  own: GoalRun;
  /** The same members with both thresholds at each place, in the order asked. */
  placed: { at: number; startAt: number; run: GoalRun; missedFallIds: string[] }[];
}

/** One run: scored again at the pipeline's midpoint (must equal metrics.json), then at each of `ats` (the start group's at `startAt`, else the same). */
export async function placeThresholds(runDir: string, ats: readonly number[], startAt?: number): Promise<PlacedRun> {
  const run = await rescoredRun(runDir);
  const combine = memberCombine(run.cfg.combine ?? "mean");
  const placed = ats.map((at) => {
    const start = startAt ?? at;
    return { at, startAt: start, ...rescoredRow(run, `${run.own.name}@${at}`, mixFigures(run.folds, run.ds, run.cfg, false, combine, at, start)) };
  });
  return { own: run.own, placed };
}

/** "0.6,0.7" → [0.6, 0.7], each inside (0, 1). */
export function parsePlaces(raw: string, flag = "--at"): number[] {
  const ats = raw.split(",").map((v) => Number(v.trim()));
  const bad = ats.find((v) => !(v > 0 && v < 1));
  if (bad !== undefined || raw.trim() === "") throw new Error(`${flag} expects values inside (0, 1), comma-separated, got "${raw}"`);
  return ats;
}

if (require.main === module) {
  new Command("threshold-place-study")
    .description("default-detector runs (written with --folds): both thresholds moved within their training gap; issue 15's goals at each place against the runs as they are")
    .requiredOption("--at <list>", "places in the gap, 0 (the score below the cut) to 1 (the score above it); the pipeline's is 0.5")
    .option("--start-at <place>", "the start group's threshold at this place instead (e.g. 0.5: only the full windows' threshold moves)")
    .option("--json <file>", "also write the rows to this file")
    .argument("<runs...>", "RUN...")
    .action(async (dirs: string[], o: { at: string; startAt?: string; json?: string }) => {
      const ats = parsePlaces(o.at);
      const startAt = o.startAt === undefined ? undefined : parsePlaces(o.startAt)[0];
      const rows: PlacedRun[] = [];
      for (const d of dirs) rows.push(await placeThresholds(d, ats, startAt));
      ats.forEach((at, i) => {
        console.log(`\n## the full windows' threshold at ${at} of its gap, the start windows' at ${startAt ?? at} (the pipeline's: 0.5)\n`);
        console.log(goalsTable(rows.map((r) => r.placed[i].run), rows.map((r) => r.own)));
      });
      if (o.json) fs.writeFileSync(o.json, JSON.stringify(rows, null, 1) + "\n");
    })
    .parseAsync()
    .catch((e: unknown) => {
      console.error(`threshold-place-study: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
