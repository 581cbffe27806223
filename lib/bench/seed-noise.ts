// How far a run's 5-fold figures move when only the model seed changes: each member of a default ensemble run is a
// one-model run of its own seed (S, S+10, S+20) on the same folds, trained exactly as `--ensemble 1` would. Issue 17's
// goal for the other modes ("within 0.01 window AUC and 0.005 recording AUC of 1 worker, no fall lost") is judged here
// for members 2 and 3 against member 1: how often a setup that differs from the 1-worker run only by its random
// trajectory meets it by chance.
// `node dist/lib/bench/seed-noise.js RUN_DIR...` (pipeline runs written with --folds and --ensemble 3).
import * as path from "node:path";
import { resolveData } from "../data/load";
import { readJson } from "../run/atomic";
import { rescoreRun } from "../detect/rescore-run";
import { studyRule } from "../detect/rule-study";
import { GoalFiguresRow, verdictOf } from "./scaling-goals";

export interface MemberRow extends GoalFiguresRow {
  run: string;
  seed: number;
  /** 1-based member index; its model seed is seed + 10 × (member − 1). */
  member: number;
  adls: number;
}

/** Each member of a finished ensemble run scored alone, as a one-model run with the run's smoothing and thresholds. */
export async function memberRows(runDir: string): Promise<MemberRow[]> {
  const cfg = (readJson(path.join(runDir, "metrics.json")) as { config: { data: string | null; synthetic?: boolean; seed: number; smooth: number } }).config;
  const ds = resolveData({ dir: cfg.data ?? undefined, synthetic: cfg.synthetic === true, seed: cfg.seed });
  const folds = await rescoreRun(runDir);
  const members = folds[0].trainMembers.length;
  const rows: MemberRow[] = [];
  for (let m = 0; m < members; m++) {
    const alone = folds.map((f) => ({ ...f, trainMembers: [f.trainMembers[m]], testMembers: [f.testMembers[m]] }));
    const o = studyRule(alone, { name: `member ${m + 1}`, aggregate: "mean", smooth: cfg.smooth }, ds);
    const f = o.figures;
    if (f.recordingAuc === null || f.windowAuc === null) throw new Error(`${runDir}: member ${m + 1} has no AUC (one class only?)`);
    rows.push({ run: path.basename(runDir), seed: cfg.seed, member: m + 1, windowAuc: f.windowAuc, recordingAuc: f.recordingAuc, fallsFound: f.fallsFound, falls: f.fallRecordings, adlsRight: f.adlsRight, adls: f.adlRecordings });
  }
  return rows;
}

export interface ChanceCount {
  comparisons: number;
  met: number;
  /** Missed only by a gain beyond the tolerance. */
  gainOnly: number;
  /** Lost a fall or fell below a tolerance. */
  lost: number;
}

/** Members 2.. against member 1 of the same run, under the goal of a weight-averaging mode. */
export function chanceOfGoal(rows: readonly MemberRow[]): ChanceCount {
  const count: ChanceCount = { comparisons: 0, met: 0, gainOnly: 0, lost: 0 };
  for (const r of rows) {
    if (r.member === 1) continue;
    const base = rows.find((b) => b.run === r.run && b.member === 1);
    if (!base) throw new Error(`${r.run}: no member 1 to compare member ${r.member} with`);
    const v = verdictOf(r, base, "synchronous");
    count.comparisons++;
    if (v.met) count.met++;
    else if (v.gainOnly) count.gainOnly++;
    else count.lost++;
  }
  return count;
}

async function main(dirs: string[]): Promise<void> {
  if (!dirs.length) throw new Error("usage: node dist/lib/bench/seed-noise.js RUN_DIR... (pipeline runs written with --folds, an ensemble of 2 or more)");
  const rows: MemberRow[] = [];
  console.log("| run | member (model seed) | falls | ADLs right | recording AUC | window AUC | against member 1 |");
  console.log("|---|---|---|---|---|---|---|");
  for (const dir of dirs) {
    const mine = await memberRows(dir);
    if (mine.length < 2) throw new Error(`${dir}: one member only; the study needs an ensemble run`);
    rows.push(...mine);
    for (const r of mine) {
      const v = r.member === 1 ? null : verdictOf(r, mine[0], "synchronous");
      console.log(`| ${r.run} (seed ${r.seed}) | ${r.member} (${r.seed + 10 * (r.member - 1)}) | ${r.fallsFound}/${r.falls} | ${r.adlsRight}/${r.adls} | ${r.recordingAuc.toFixed(4)} | ${r.windowAuc.toFixed(4)} | ${v === null ? "—" : `${v.met ? "within" : v.gainOnly ? "beyond, by a gain" : "beyond, a loss"} (${v.detail})`} |`);
    }
  }
  const c = chanceOfGoal(rows);
  console.log(`\nAgainst member 1, under issue 17's goal for the other modes: ${c.met} of ${c.comparisons} within, ${c.gainOnly} beyond by a gain only, ${c.lost} by a loss.`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`seed-noise: ${err.message}`);
    process.exitCode = 1;
  });
}
