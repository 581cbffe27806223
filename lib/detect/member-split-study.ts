// Issue 15's rule for a new default ("fewer goals on no seed") measured against chance. An `--ensemble 2K` run of a
// --start-models detector holds two detectors of K members a type: members 1..K of each type (model seeds S, S+10, ...:
// an `--ensemble K` run's own) and members K+1..2K (other model seeds; the same folds, data, scaler and options). Each
// half is scored as the pipeline scores a run (both thresholds chosen again on its own training windows); the second
// half against the first says how often a detector that differs only by its random trajectory meets fewer goals on a
// seed. With --against, the first half must give those runs' metrics.json figures (the `--ensemble K` runs of the same
// seeds), which checks that it is that detector.
// `node dist/lib/detect/member-split-study.js RUN... [--against BASE,...] [--json FILE]`
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { readPreprocessing } from "../export/preprocessing";
import { memberCombine } from "../evaluate/member-combine";
import type { GroupScores } from "./start-models";
import { GoalRun, goalsTable, readGoalRun } from "./goals-table";
import { figuresOfScored, minOfScored, rescoredRow, rescoredRun, RunFold, scoreFolds } from "./group-mix-study";

/** The members of half `half` (0: the first K of each type, 1: the last K), in the saved order, from the members' types. */
export function halfMembers(kinds: readonly string[], half: 0 | 1): number[] {
  const byKind = new Map<string, number[]>();
  kinds.forEach((k, i) => byKind.set(k, [...(byKind.get(k) ?? []), i]));
  const out: number[] = [];
  for (const [kind, idx] of byKind) {
    if (idx.length < 2 || idx.length % 2) throw new Error(`${idx.length} ${kind} member(s): not two equal halves (train the run with an even --ensemble)`);
    const k = idx.length / 2;
    out.push(...idx.slice(half * k, (half + 1) * k));
  }
  return out.sort((a, b) => a - b);
}

/** A fold with only the members `main` of its main group and `start` of its start group. */
export function pickMembers(f: RunFold, main: readonly number[], start: readonly number[]): RunFold {
  const pick = (g: GroupScores, idx: readonly number[]): GroupScores => ({ ...g, trainMembers: idx.map((i) => g.trainMembers[i]), testMembers: idx.map((i) => g.testMembers[i]) });
  return { ...f, main: pick(f.main, main), start: pick(f.start, start), savedStartThreshold: Number.NaN };
}

/** The members' types of a run's fold-1 group (main or start), as its preprocessing.json lists them. */
function groupKinds(runDir: string, group: "main" | "start"): string[] {
  const dir = path.join(runDir, "models", "fold-1", ...(group === "start" ? ["start"] : []), "member-1");
  const kinds = readPreprocessing(dir).memberKinds;
  if (!kinds) throw new Error(`${dir}: preprocessing.json lists no member types`);
  return [...kinds];
}

export interface SplitRow {
  first: GoalRun;
  second: GoalRun;
  /** Both halves together by the lower of their aligned scores (an alarm needs both): the twenty-fourth round's control. */
  minOfHalves: GoalRun;
  missedFalls: { first: string[]; second: string[] };
}

/** One `--ensemble 2K` run split into its two detectors of K members a type; `base` (an `--ensemble K` run of the same seed) must equal the first. */
export async function splitRun(runDir: string, base?: string): Promise<SplitRow> {
  const run = await rescoredRun(runDir);
  const combine = memberCombine(run.cfg.combine ?? "mean");
  const [mainKinds, startKinds] = [groupKinds(runDir, "main"), groupKinds(runDir, "start")];
  const name = path.basename(path.resolve(runDir));
  const scored = (h: 0 | 1) => {
    const [main, start] = [halfMembers(mainKinds, h), halfMembers(startKinds, h)];
    return scoreFolds(run.folds.map((f) => pickMembers(f, main, start)), run.ds, run.cfg, false, combine);
  };
  const [s0, s1] = [scored(0), scored(1)];
  const half = (h: 0 | 1) => rescoredRow(run, `${name} (members ${h === 0 ? "first" : "second"} half)`, figuresOfScored(h === 0 ? s0 : s1, run.ds, run.cfg.stride));
  const [first, second] = [half(0), half(1)];
  if (base !== undefined) {
    const b = readGoalRun(base);
    if (b.seed !== run.cfg.seed) throw new Error(`${base} is seed ${b.seed}, ${runDir} seed ${run.cfg.seed}`);
    if (JSON.stringify(b.figures) !== JSON.stringify(first.run.figures)) {
      throw new Error(`${runDir}: its first half gives ${JSON.stringify(first.run.figures)}, ${base}'s metrics.json ${JSON.stringify(b.figures)}: not that detector`);
    }
  }
  const both = rescoredRow(run, `${name} (both halves, min)`, figuresOfScored(minOfScored(s0, s1), run.ds, run.cfg.stride));
  return { first: first.run, second: second.run, minOfHalves: both.run, missedFalls: { first: first.missedFallIds, second: second.missedFallIds } };
}

if (require.main === module) {
  new Command("member-split-study")
    .description("each --ensemble 2K run of a --start-models detector split into two detectors of K members a type (the first half: the --ensemble K run's models); issue 15's goals of the second half against the first")
    .option("--against <runs>", "comma-separated --ensemble K runs of the same seeds, in order: each must equal its run's first half")
    .option("--json <file>", "also write the rows (both halves, per seed) to this file")
    .option("--run", "also compare both halves by the lower score (an alarm needs both) with the whole run")
    .argument("<runs...>", "pipeline runs trained with an even --ensemble (their arrow/ folders kept)")
    .action(async (dirs: string[], o: { against?: string; json?: string; run?: boolean }) => {
      const bases = o.against?.split(",").map((s) => s.trim());
      if (bases && bases.length !== dirs.length) throw new Error(`--against names ${bases.length} runs for ${dirs.length}`);
      const rows: SplitRow[] = [];
      for (const [i, dir] of dirs.entries()) rows.push(await splitRun(dir, bases?.[i]));
      if (bases) console.log(`Each first half gives its --against run's metrics.json figures (${bases.length} runs).\n`);
      console.log(goalsTable(rows.map((r) => r.second), rows.map((r) => r.first)));
      if (o.run) {
        console.log("\nBoth halves, an alarm needing both (the lower aligned score), against the whole run (all members by its own rule):\n");
        console.log(goalsTable(rows.map((r) => r.minOfHalves), dirs.map(readGoalRun)));
      }
      const missed = rows.filter((r) => r.missedFalls.first.length + r.missedFalls.second.length > 0);
      if (missed.length > 0) console.log(`\nFalls missed (second half; first half): ${missed.map((r) => `seed ${r.first.seed}: ${r.missedFalls.second.join(", ") || "none"}; ${r.missedFalls.first.join(", ") || "none"}`).join(" | ")}`);
      if (o.json) fs.writeFileSync(o.json, JSON.stringify(rows, null, 1) + "\n");
    })
    .parseAsync()
    .catch((e: unknown) => {
      console.error(`member-split-study: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
