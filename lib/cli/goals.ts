// `fall-dp goals RUN... [--against RUN,RUN...] [--json FILE]` (`npm run goals -- ...`): issue 15's goals for
// finished 5-fold pipeline runs, one row a seed, as the README's results tables give them.
import * as path from "node:path";
import { StrictCommand } from "../pipeline/command-line";
import { UsageError } from "../pipeline/options";
import { GoalRun, goalCount, goalsTable, readGoalRun } from "../detect/goals-table";
import { goalsMet } from "../detect/goals";
import { writeJsonAtomic } from "../run/atomic";
import { checkFlags, FlagRule, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";
import { checkOutputFile } from "./output-file";

interface GoalsFlags {
  against?: string;
  json?: string;
}

const RULES: FlagRule<keyof GoalsFlags>[] = [
  { flag: "--against", arg: "RUN,RUN...", key: "against", parse: textFlag, help: "other runs of the same seeds (comma-separated folders): goals compared seed by seed" },
  { flag: "--json", arg: "FILE", key: "json", parse: textFlag, help: "also write each run's figures and goals as JSON" },
];

/** `goals`: the detector goals of finished pipeline runs. */
export function goalsCommand(): StrictCommand {
  const command = new StrictCommand("goals")
    .summary("issue 15's detector goals for finished pipeline runs, a row per seed")
    .description("Reads each run folder's metrics.json (npm run pipeline -- --folds 5 --seed S --out RUN) and prints the goals table: falls, ADLs, recording and window AUC, delay, latest alarm, false alarms, misses in bold.")
    .argument("<runs...>", "pipeline run folders, one per seed")
    .flags(RULES);
  return withAction(command, (c) => {
    const f = checkFlags(c.given, RULES) as GoalsFlags;
    const againstDirs = f.against ? f.against.split(",").filter(Boolean) : [];
    if (f.against !== undefined && againstDirs.length === 0) throw new UsageError("--against expects run folders, comma-separated");
    if (f.json) checkOutputFile(f.json, "--json", [...c.args, ...againstDirs].map((d) => path.join(d, "metrics.json")));
    const runs = c.args.map(readGoalRun);
    const against = againstDirs.map(readGoalRun);
    console.log(goalsTable(runs, against));
    if (f.json) writeJsonAtomic(path.resolve(f.json), runs.map(jsonRow));
    return 0;
  });
}

const jsonRow = (r: GoalRun) => ({ run: r.name, seed: r.seed, ...r.figures, ownWindowAuc: r.ownWindowAuc, windowSet: r.windowSet, falseAlarmIds: r.falseAlarmIds, goals: goalsMet(r.figures), goalsMet: goalCount(r.figures) });

if (require.main === module) runCommand(goalsCommand(), process.argv.slice(2));
