// Issue 15, a twentieth round (2026-12-06): the default detector's LSTM and GRU members weighed unequally in their mean
// log-odds. A run's saved members are scored again (each run first reproducing its metrics.json), then combined with the
// LSTM members' log-odds weighing w and the GRU members' 1 − w; both thresholds are chosen again on that score as the
// pipeline chooses them. `node dist/lib/detect/type-weight-study.js --lstm-weight 0.35,0.65 RUN...`
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import type { MemberCombine } from "../evaluate/member-combine";
import type { RnnKind } from "../model/rnn";
import { readJson } from "../run/atomic";
import { GoalRun, goalsTable } from "./goals-table";
import { mixFigures, rescoredRow, rescoredRun } from "./group-mix-study";
import { parsePlaces } from "./threshold-place-study";

/**
 * The probability of the members' weighted mean log-odds: members of kind "lstm" weigh `lstmWeight`, the others
 * 1 − lstmWeight. `kinds` is one group's member kinds; a call with k groups' members (the full windows get both
 * groups') repeats it k times. Probabilities are kept 1e-7 inside (0, 1), as logitMeanOf keeps them.
 */
export function typeWeightedLogitMean(kinds: readonly RnnKind[], lstmWeight: number): MemberCombine {
  return (members, n) => {
    if (members.length === 0 || members.length % kinds.length !== 0) throw new RangeError(`typeWeightedLogitMean: ${members.length} members, not groups of ${kinds.length}`);
    const w = members.map((_, i) => (kinds[i % kinds.length] === "lstm" ? lstmWeight : 1 - lstmWeight));
    const total = w.reduce((a, b) => a + b, 0);
    return Float32Array.from({ length: n }, (_, j) => {
      let z = 0;
      members.forEach((m, i) => {
        const q = Math.min(Math.max(m[j], 1e-7), 1 - 1e-7);
        z += w[i] * Math.log(q / (1 - q));
      });
      return 1 / (1 + Math.exp(-z / total));
    });
  };
}

/** A fold folder's member kinds (preprocessing.json's memberKinds: a --second-model run). */
function memberKinds(runDir: string): RnnKind[] {
  const file = path.join(runDir, "models", "fold-1", "member-1", "preprocessing.json");
  const kinds = (readJson(file) as { memberKinds?: RnnKind[] }).memberKinds;
  if (!kinds || !kinds.includes("lstm") || !kinds.includes("gru")) throw new Error(`${file}: no memberKinds with both lstm and gru (a run of the default detector has them)`);
  return kinds;
}

export interface WeighedRun {
  own: GoalRun;
  weighed: { lstmWeight: number; run: GoalRun; missedFallIds: string[] }[];
}

export async function weighTypes(runDir: string, lstmWeights: readonly number[]): Promise<WeighedRun> {
  const kinds = memberKinds(runDir);
  const run = await rescoredRun(runDir);
  const weighed = lstmWeights.map((lstmWeight) => ({
    lstmWeight,
    ...rescoredRow(run, `${run.own.name}@lstm${lstmWeight}`, mixFigures(run.folds, run.ds, run.cfg, false, typeWeightedLogitMean(kinds, lstmWeight))),
  }));
  return { own: run.own, weighed };
}

if (require.main === module) {
  new Command("type-weight-study")
    .description("default-detector runs (written with --folds): the LSTM members' log-odds weighing w and the GRU members' 1 - w; issue 15's goals at each w against the runs as they are (equal weights)")
    .requiredOption("--lstm-weight <list>", "weights of the LSTM members, inside (0, 1), comma-separated (0.5: equal weights, the pipeline's)")
    .option("--json <file>", "also write the rows to this file")
    .argument("<runs...>", "RUN...")
    .action(async (dirs: string[], o: { lstmWeight: string; json?: string }) => {
      const ws = parsePlaces(o.lstmWeight, "--lstm-weight");
      const rows: WeighedRun[] = [];
      for (const d of dirs) rows.push(await weighTypes(d, ws));
      ws.forEach((w, i) => {
        console.log(`\n## LSTM members' log-odds weighing ${w}, GRU members' ${Math.round((1 - w) * 1000) / 1000}\n`);
        console.log(goalsTable(rows.map((r) => r.weighed[i].run), rows.map((r) => r.own)));
      });
      if (o.json) fs.writeFileSync(o.json, JSON.stringify(rows, null, 1) + "\n");
    })
    .parseAsync()
    .catch((e: unknown) => {
      console.error(`type-weight-study: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    });
}
