// Choosing the alarm rule on held-out training recordings (nested folds), issue 15's lead 3: for each outer
// fold of a finished run, the pipeline runs again (the run's options, --folds 4) on that fold's
// training recordings only; every candidate rule is replayed on those inner out-of-fold scores (models that
// never saw the recording) and the fold takes the rule meeting most of issue 15's goals there (ties: fewer
// false alarms, then fewer missed falls, then the shorter median delay, then the earlier rule in the list).
// The outer fold then applies its rule with its own models and training threshold; the test side is pooled
// out of fold as before. The outer test recordings are read by nothing but that last step.
// `node dist/lib/detect/nested-study.js RUN_DIR WORK_DIR` (WORK_DIR keeps the inner runs; a rerun reuses them).
import * as fs from "node:fs";
import * as path from "node:path";
import type { FrameDataset } from "../types";
import { PLAIN_PIPELINE_OPTIONS, PipelineOptions } from "../pipeline/options";
import { runPipeline } from "../pipeline/run-pipeline";
import { resolveData, URFD_FILES } from "../data/load";
import { readJson } from "../run/atomic";
import { AlarmRule, LEAD_RULES, STUDIED_RULES } from "./alarm-rules";
import { goalsMet } from "./goals";
import { rescoreRun } from "./rescore-run";
import { outcomeRow, RuleOutcome, studyRule } from "./rule-study";

/** The candidates, fixed before any inner run: every rule of STUDIED_RULES and LEAD_RULES. */
export const NESTED_CANDIDATES: readonly AlarmRule[] = [...STUDIED_RULES, ...LEAD_RULES];
/** Inner folds over an outer fold's training recordings. */
export const INNER_FOLDS = 4;

/** Orders inner outcomes best first (the choice rule above); returns the index of the best. */
export function bestRule(outcomes: readonly RuleOutcome[]): number {
  const key = (o: RuleOutcome): number[] => {
    const f = o.figures;
    return [-Object.values(goalsMet(f)).filter(Boolean).length, f.falseAlarms, f.fallRecordings - f.fallsFound, f.medianDelay ?? Infinity];
  };
  let best = 0;
  for (let i = 1; i < outcomes.length; i++) {
    const a = key(outcomes[i]);
    const b = key(outcomes[best]);
    const d = a.findIndex((v, j) => v !== b[j]);
    if (d >= 0 && a[d] < b[d]) best = i;
  }
  return best;
}

/** The URFD CSV lines of `keep`'s recordings only, copied as they are from `dataDir`. */
export function writeSubset(dataDir: string, keep: ReadonlySet<string>, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of [URFD_FILES.falls, URFD_FILES.adls]) {
    const lines = fs.readFileSync(path.join(dataDir, file), "utf8").split(/\r?\n/).filter((l) => l.trim() !== "" && keep.has(l.slice(0, l.indexOf(","))));
    fs.writeFileSync(path.join(outDir, file), lines.join("\n") + "\n");
  }
}

export interface NestedOutcome {
  chosen: { fold: number; rule: string; inner: RuleOutcome[] }[];
  outer: RuleOutcome;
}

export async function nestedStudy(runDir: string, workDir: string, log: (line: string) => void = console.log): Promise<NestedOutcome> {
  const cfg = (readJson(path.join(runDir, "metrics.json")) as { config: PipelineOptions }).config;
  if (cfg.synthetic) throw new Error(`${runDir}: the nested study needs a run on a data folder, not --synthetic`);
  const ds: FrameDataset = resolveData({ dir: cfg.data ?? undefined, synthetic: false, seed: cfg.seed });
  const dataDir = ds.provenance.dir;
  if (!dataDir) throw new Error(`${runDir}: no data folder`);
  const outer = await rescoreRun(runDir);
  const chosen: NestedOutcome["chosen"] = [];
  for (const f of outer) {
    const testIds = new Set([...new Set(f.test.seq)].map((s) => f.test.sequenceIds[s]));
    const trainIds = new Set(ds.sequences.map((s) => s.id).filter((id) => !testIds.has(id)));
    const base = path.join(workDir, `fold-${f.fold}`);
    const data = path.join(base, "data");
    const inner = path.join(base, "inner");
    if (!fs.existsSync(path.join(inner, "metrics.json"))) {
      writeSubset(dataDir, trainIds, data);
      log(`fold ${f.fold}: inner ${INNER_FOLDS}-fold run on its ${trainIds.size} training recordings -> ${inner}`);
      await runPipeline({ ...PLAIN_PIPELINE_OPTIONS, ...cfg, data, folds: INNER_FOLDS, out: inner }, { log: () => {} });
    }
    const innerDs = resolveData({ dir: data, synthetic: false, seed: cfg.seed });
    const innerFolds = await rescoreRun(inner);
    const outcomes = NESTED_CANDIDATES.map((r) => studyRule(innerFolds, r, innerDs));
    const best = bestRule(outcomes);
    for (const o of outcomes) log(outcomeRow(`fold ${f.fold} inner`, o));
    log(`fold ${f.fold}: chosen "${NESTED_CANDIDATES[best].name}"`);
    chosen.push({ fold: f.fold, rule: NESTED_CANDIDATES[best].name, inner: outcomes });
  }
  const rules = chosen.map((c) => NESTED_CANDIDATES.find((r) => r.name === c.rule)!);
  const result = studyRule(outer, rules, ds);
  log(outcomeRow(`${path.basename(runDir)} (seed ${cfg.seed}), nested choice`, result));
  return { chosen, outer: result };
}

if (require.main === module) {
  const [run, work] = process.argv.slice(2);
  if (!run || !work) {
    console.error("usage: node dist/lib/detect/nested-study.js RUN_DIR WORK_DIR");
    process.exitCode = 2;
  } else {
    nestedStudy(run, work).catch((err: Error) => {
      console.error(`nested-study: ${err.message}`);
      process.exitCode = 1;
    });
  }
}
