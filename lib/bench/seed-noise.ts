// How far a run's 5-fold figures move when only the model seed changes: each member of a default ensemble run is a
// one-model run of its own seed (S, S+10, S+20) on the same folds, trained exactly as `--ensemble 1` would. Issue 17's
// goal for the other modes ("within 0.01 window AUC and 0.005 recording AUC of 1 worker, no fall lost") is judged here
// for members 2 and 3 against member 1: how often a setup that differs from the 1-worker run only by its random
// trajectory meets it by chance. With `--group K` the members of an `--ensemble 2K` run form two ensembles of K
// (members 1..K, the default run's models when K = 3, and K+1..2K): the same question for ensembles.
// `node dist/lib/bench/seed-noise.js [--group K] RUN_DIR...` (pipeline runs written with --folds and an ensemble).
import * as path from "node:path";
import { resolveData } from "../data/load";
import { readJson } from "../run/atomic";
import { rescoreRun } from "../detect/rescore-run";
import { studyRule } from "../detect/rule-study";
import { GoalFiguresRow, verdictOf } from "./scaling-goals";

export interface MemberRow extends GoalFiguresRow {
  run: string;
  seed: number;
  /** 1-based index of the member (or group of `modelSeeds.length` members); member m's model seed is seed + 10 × (m − 1). */
  member: number;
  modelSeeds: number[];
  adls: number;
}

/**
 * Each member of a finished ensemble run scored alone (groupSize 1, a one-model run), or each run of `groupSize`
 * consecutive members scored as an ensemble of its own, with the run's smoothing and thresholds chosen again.
 */
export async function memberRows(runDir: string, groupSize = 1): Promise<MemberRow[]> {
  const cfg = (readJson(path.join(runDir, "metrics.json")) as { config: { data: string | null; synthetic?: boolean; seed: number; smooth: number } }).config;
  const ds = resolveData({ dir: cfg.data ?? undefined, synthetic: cfg.synthetic === true, seed: cfg.seed });
  const folds = await rescoreRun(runDir);
  const members = folds[0].trainMembers.length;
  if (!Number.isInteger(groupSize) || groupSize < 1 || members % groupSize !== 0) throw new Error(`${runDir}: ${members} members do not make groups of ${groupSize}`);
  const rows: MemberRow[] = [];
  for (let g = 0; g < members / groupSize; g++) {
    const [lo, hi] = [g * groupSize, (g + 1) * groupSize];
    const group = folds.map((f) => ({ ...f, trainMembers: f.trainMembers.slice(lo, hi), testMembers: f.testMembers.slice(lo, hi) }));
    const o = studyRule(group, { name: `members ${lo + 1}-${hi}`, aggregate: "mean", smooth: cfg.smooth }, ds);
    const f = o.figures;
    if (f.recordingAuc === null || f.windowAuc === null) throw new Error(`${runDir}: members ${lo + 1}-${hi} have no AUC (one class only?)`);
    const modelSeeds = Array.from({ length: groupSize }, (_, i) => cfg.seed + 10 * (lo + i));
    rows.push({ run: path.basename(runDir), seed: cfg.seed, member: g + 1, modelSeeds, windowAuc: f.windowAuc, recordingAuc: f.recordingAuc, fallsFound: f.fallsFound, falls: f.fallRecordings, adlsRight: f.adlsRight, adls: f.adlRecordings });
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

async function main(argv: string[]): Promise<void> {
  const grouped = argv[0] === "--group";
  const groupSize = grouped ? Number(argv[1]) : 1;
  const dirs = grouped ? argv.slice(2) : argv;
  if (!dirs.length || !(groupSize >= 1)) throw new Error("usage: node dist/lib/bench/seed-noise.js [--group K] RUN_DIR... (pipeline runs written with --folds, an ensemble of 2K or more)");
  const rows: MemberRow[] = [];
  const unit = groupSize === 1 ? "member" : `group of ${groupSize}`;
  const first = groupSize === 1 ? "member 1" : "group 1";
  console.log(`| run | ${unit} (model seeds) | falls | ADLs right | recording AUC | window AUC | against ${first} ("1 worker": its figure) |`);
  console.log("|---|---|---|---|---|---|---|");
  for (const dir of dirs) {
    const mine = await memberRows(dir, groupSize);
    if (mine.length < 2) throw new Error(`${dir}: one ${unit} only; the study needs an ensemble of at least ${2 * groupSize}`);
    rows.push(...mine);
    for (const r of mine) {
      const v = r.member === 1 ? null : verdictOf(r, mine[0], "synchronous");
      console.log(`| ${r.run} (seed ${r.seed}) | ${r.member} (${r.modelSeeds.join(", ")}) | ${r.fallsFound}/${r.falls} | ${r.adlsRight}/${r.adls} | ${r.recordingAuc.toFixed(4)} | ${r.windowAuc.toFixed(4)} | ${v === null ? "—" : `${v.met ? "within" : v.gainOnly ? "beyond, by a gain" : "beyond, a loss"} (${v.detail})`} |`);
    }
  }
  const c = chanceOfGoal(rows);
  console.log(`\nAgainst ${first}, under issue 17's goal for the other modes: ${c.met} of ${c.comparisons} within, ${c.gainOnly} beyond by a gain only, ${c.lost} by a loss.`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(`seed-noise: ${err.message}`);
    process.exitCode = 1;
  });
}
