// Issue 15, a twelfth round (2026-12-05): the default run's 3 members and the every-frame detector's 3 (trained with
// `--pad-starts 16`) scored together. A stream's first windows (16..31 real frames) go to the padded members alone,
// against their own threshold, as the every-frame detector scores them; every full window to the mean of all six,
// against the log-odds midpoint of that mean on the fold's training recordings; every frame, unsmoothed. Fixed before
// any of its alarms were seen, after a proxy (the window AUC of the six on full windows; /work/scratch notes, in
// docs/results.md "A twelfth round").
// `node dist/lib/detect/mix-study.js BASE_RUN PAD_RUN [BASE_RUN PAD_RUN ...]` (a default run and a
// `--pad-starts 16 --smooth 1 --threshold-midpoint logit --score-stride 1` run of one seed a pair).
import * as path from "node:path";
import { Command } from "commander";
import type { FrameDataset } from "../types";
import { resolveData } from "../data/load";
import { readJson } from "../run/atomic";
import type { AlarmRule } from "./alarm-rules";
import { RescoredFold, rescoreRun } from "./rescore-run";
import { goalsMet, GoalName } from "./goals";
import { outcomeRow, RuleOutcome, studyRule } from "./rule-study";
import { StartModelRule, studyStartModel } from "./start-model-study";
import { alignWindows } from "./start-models";

export { alignWindows };

/** The every-frame detector's own rule (its run's settings), for the padded members and for the six on full windows. */
const EVERY_FRAME: AlarmRule = { name: "mean, smooth 1, logit midpoint", aggregate: "mean", smooth: 1, midpoint: "logit" };
export const MIX_RULE: StartModelRule = {
  name: "start: padded members; full windows: the mean of all six (every frame, smooth 1, logit midpoint)",
  full: { ...EVERY_FRAME, name: "six members, stride 1: mean, smooth 1, logit midpoint" },
  start: { ...EVERY_FRAME, name: "padded, stride 1: mean, smooth 1, logit midpoint" },
};

/** The base fold with the padded run's members added on the base's own (full) windows, train and test. */
export function mixFold(base: RescoredFold, pad: RescoredFold): RescoredFold {
  if (base.fold !== pad.fold) throw new Error(`folds ${base.fold} and ${pad.fold}: not one fold`);
  const pick = (members: readonly Float32Array[], idx: readonly number[]) => members.map((m) => Float32Array.from(idx, (j) => m[j]));
  const train = alignWindows(base.train, pad.train, `fold ${base.fold}, training side`);
  const test = alignWindows(base.test, pad.test, `fold ${base.fold}, test side`);
  return {
    ...base,
    trainMembers: [...base.trainMembers, ...pick(pad.trainMembers, train)],
    testMembers: [...base.testMembers, ...pick(pad.testMembers, test)],
  };
}

/** Both runs re-cut every frame: the base on full windows, the padded run from its 16th real frame. */
export async function mixRuns(baseDir: string, padDir: string, ds: FrameDataset, padMinReal: number): Promise<{ base: RescoredFold[]; pad: RescoredFold[]; mix: RescoredFold[] }> {
  const base = await rescoreRun(baseDir, { ds, stride: 1 });
  const pad = await rescoreRun(padDir, { ds, stride: 1, padMinReal });
  if (base.length !== pad.length) throw new Error(`${baseDir} and ${padDir}: ${base.length} and ${pad.length} folds`);
  return { base, pad, mix: base.map((b, k) => mixFold(b, pad[k])) };
}

/** The outcome with its window AUC taken over the --stride grid's full windows (full windows on the training stride's grid), as the README's goals are. */
export function onGrid(o: RuleOutcome): RuleOutcome {
  const grid = o.gridWindowAuc !== undefined ? o.gridWindowAuc : o.fullWindowAuc;
  return { ...o, figures: { ...o.figures, windowAuc: grid }, fullWindowAuc: o.figures.windowAuc, gridWindowAuc: undefined };
}

/** Per goal, on how many seeds each met it; totals; the seeds with all seven; seeds where the mix meets fewer. */
export function summary(seeds: readonly { seed: number; alone: RuleOutcome; mix: RuleOutcome }[]): string[] {
  const names = Object.keys(goalsMet(seeds[0].alone.figures)) as GoalName[];
  const count = (pick: (s: (typeof seeds)[number]) => RuleOutcome) => {
    const met = seeds.map((s) => goalsMet(pick(s).figures));
    const per = names.map((g) => `${g} ${met.filter((m) => m[g]).length}`).join(", ");
    const total = met.reduce((a, m) => a + Object.values(m).filter(Boolean).length, 0);
    const all = seeds.filter((_, i) => Object.values(met[i]).every(Boolean)).map((s) => s.seed);
    return { per, total, all, n: met.map((m) => Object.values(m).filter(Boolean).length) };
  };
  const a = count((s) => s.alone);
  const m = count((s) => s.mix);
  const fewer = seeds.filter((_, i) => m.n[i] < a.n[i]).map((s) => s.seed);
  const more = seeds.filter((_, i) => m.n[i] > a.n[i]).map((s) => s.seed);
  return [
    "",
    `every-frame detector alone, ${seeds.length} seeds: ${a.per}; ${a.total} goals; all seven on seeds ${a.all.join(", ") || "none"}`,
    `the six mixed, ${seeds.length} seeds: ${m.per}; ${m.total} goals; all seven on seeds ${m.all.join(", ") || "none"}`,
    `the six against the detector alone: more goals on seeds ${more.join(", ") || "none"}; fewer on seeds ${fewer.join(", ") || "none"}`,
  ];
}

if (require.main === module) {
  const program = new Command("mix-study")
    .description("a plain run (--detector plain) and a --detector plain --pad-starts 16 every-frame run of one seed a pair: the six members scored together")
    .argument("<runs...>", "BASE_RUN PAD_RUN [BASE_RUN PAD_RUN ...]")
    .action(async (dirs: string[]) => {
      if (dirs.length % 2) program.error("mix-study: runs come in pairs, BASE_RUN PAD_RUN (one seed a pair)");
      console.log("| run | rule | falls | ADLs right | recording AUC | window AUC (the --stride grid's full windows) | window AUC, own windows | median delay | latest after end | false alarms | goals met |");
      console.log("|---|---|---|---|---|---|---|---|---|---|---|");
      const seeds: { seed: number; alone: RuleOutcome; mix: RuleOutcome }[] = [];
      for (let i = 0; i < dirs.length; i += 2) {
        const cfg = (dir: string) => (readJson(path.join(dir, "metrics.json")) as { config: { data: string | null; seed: number; padStarts?: number; window: number; stride: number } }).config;
        const [b, p] = [cfg(dirs[i]), cfg(dirs[i + 1])];
        if (b.seed !== p.seed) throw new Error(`${dirs[i]} (seed ${b.seed}) and ${dirs[i + 1]} (seed ${p.seed}): not one seed`);
        if ((b.padStarts ?? 0) !== 0 || !p.padStarts) throw new Error(`${dirs[i]} must be unpadded and ${dirs[i + 1]} padded (--pad-starts)`);
        const ds = resolveData({ dir: b.data ?? undefined });
        const { pad, mix } = await mixRuns(dirs[i], dirs[i + 1], ds, b.window - p.padStarts);
        const label = `${path.basename(dirs[i])} + ${path.basename(dirs[i + 1])} (seed ${b.seed})`;
        // The every-frame detector alone, re-scored here (its row must give its run's goals), then the six.
        const alone = onGrid(studyRule(pad, { ...EVERY_FRAME, name: "the every-frame detector alone (re-scored)" }, ds, { gridStride: b.stride }));
        const mixed = onGrid(studyStartModel(mix, pad, MIX_RULE, ds, b.stride));
        console.log(outcomeRow(label, alone));
        console.log(outcomeRow(label, mixed));
        seeds.push({ seed: b.seed, alone, mix: mixed });
      }
      for (const line of summary(seeds)) console.log(line);
    });
  program.parseAsync(process.argv).catch((err: Error) => {
    console.error(`mix-study: ${err.message}`);
    process.exitCode = 1;
  });
}
