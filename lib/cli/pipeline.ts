// `fall-dp pipeline [options]` (`npm run pipeline -- ...`, and what every MPI rank runs as
// dist/lib/cli/pipeline.js) and `... --resume DIR`: exits as run-main.ts says (0; 2 usage; 1 failure).
// A failed run leaves nothing behind; Ctrl-C (SIGINT) or SIGTERM leaves the staging folder
// `<out>.partial` and says how to resume it (exit 130 / 143).
// `--grid` runs a grid search instead (lib/pipeline/grid-search.ts): a table on stdout, grid.json
// and grid.md in --out.
import type { FaultInjection } from "../distributed/config";
import { detectorLine } from "../pipeline/detector-preset";
import { modeRuleLine } from "../pipeline/mode-rules";
import { PipelineCommand, pipelineCommandFromFlags, pipelineCommandLine, PipelineOptions, UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { otherWindowSetPhrases } from "../pipeline/metrics-json";
import { runCommand, withAction } from "./run-main";

import * as fs from "node:fs";

/** TEST ONLY: `{"fold":1,"worker":0,"atEpoch":0,"kind":"throw"}` makes a worker fail in that fold. */
const TEST_FAULT_ENV = "FALL_TEST_FAULT";

function testFault(): (FaultInjection & { fold: number }) | undefined {
  const raw = process.env[TEST_FAULT_ENV];
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new UsageError(`${TEST_FAULT_ENV} must be JSON like {"fold":1,"worker":0,"atEpoch":0,"kind":"throw"}`);
  }
  const o = v as { fold?: unknown } | null;
  if (typeof o !== "object" || o === null || typeof o.fold !== "number" || !Number.isInteger(o.fold) || o.fold < 1) {
    throw new UsageError(`${TEST_FAULT_ENV} needs a 1-based integer "fold"`);
  }
  return v as FaultInjection & { fold: number }; // the rest is validated by fit
}

/** `pipeline`: its flags (lib/pipeline/options.ts) and what it does. */
export function pipelineCommand(): StrictCommand {
  return withAction(pipelineCommandLine(), (c) => runPipelineCommand(pipelineCommandFromFlags(c.given)));
}

async function runPipelineCommand(command: Exclude<PipelineCommand, { kind: "help" }>): Promise<number> {
  const fault = testFault();
  // Started on every rank by mpirun/srun with --cluster mpi: rank 0 drives, the others serve it.
  if ((command.kind === "run" || command.kind === "resume") && command.options.cluster === "mpi") {
    const { jobRank, startJobDriver } = await import("../cluster/in-job");
    const rank = jobRank();
    if (rank !== null && rank > 0) {
      const { serveRanks } = await import("../cluster/rank-main");
      await serveRanks();
      return 0;
    }
    if (rank === 0) startJobDriver();
  }
  let staging: string | null = null;
  // Anything thrown outside the awaited chain (a timer, a stray rejection) is still a one-line
  // failure that leaves nothing behind. Added before tfjs-backend-wasm adds its own (rethrowing) ones.
  let stopProgress = (): void => undefined;
  const crash = (err: unknown) => {
    stopProgress();
    console.error(`pipeline: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
    if (process.env.FALL_DEBUG) console.error(err);
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  // Loaded only now: a bad command line is answered without loading TensorFlow.js.
  const { runPipeline, resumePipeline } = await import("../pipeline/run-pipeline");
  const { progressMode, trainingProgress } = await import("../pipeline/progress");
  const progress = trainingProgress(progressMode({ quiet: command.quiet, isTTY: process.stdout.isTTY }), (l) => console.log(l));
  stopProgress = () => progress.stop();
  const isGrid = command.kind === "grid";
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    process.once(signal, () => {
      stopProgress();
      if (isGrid) {
        if (staging) fs.rmSync(staging, { recursive: true, force: true });
        console.error(`pipeline: interrupted (${signal}); the grid search wrote nothing (it is not resumable)`);
        process.exit(code);
      }
      console.error(
        staging
          ? `pipeline: interrupted (${signal}); ${staging} keeps the completed folds (and, with one model a fold, --detector plain --ensemble 1, the last epoch checkpoint): continue with npm run pipeline -- --resume ${staging}`
          : `pipeline: interrupted (${signal}) before anything was written`,
      );
      process.exit(code);
    });
  }
  const hooks = {
    log: (l: string) => progress.log(l),
    warn: (l: string) => console.error(l),
    onProgress: progress.forFold,
    onStaging: (dir: string) => {
      staging = dir;
    },
    ...(fault ? { faultInjection: fault } : {}),
  };
  if (command.kind === "grid") {
    const { runGridSearch } = await import("../pipeline/grid-search");
    const grid = await runGridSearch(command.options, command.grid, hooks);
    console.log("");
    console.log(grid.markdown.trimEnd());
    console.log(`wrote ${grid.out}/grid.json, grid.md`);
    return 0;
  }
  let outcome;
  if (command.kind === "resume") {
    const given: Partial<PipelineOptions> = {};
    for (const k of command.given) (given as Record<string, unknown>)[k] = command.options[k];
    outcome = await resumePipeline(command.dir, given, hooks);
  } else {
    if (command.options.format === "urfd") console.log(detectorLine(command.options));
    const rule = modeRuleLine(command.options);
    if (rule) console.log(rule);
    outcome = await runPipeline(command.options, hooks);
  }
  const { out, metrics } = outcome;
  const s = metrics.sequence;
  const on = { urfd: "URFD data", synthetic: "SYNTHETIC data (says nothing about real falls)", dfcsv: "df.csv", mcfd: "MCFD data" }[metrics.data.source];
  console.log(
    `done on ${on}: recordings ${s.confusionMatrix[1][1]}/${s.confusionMatrix[1][0] + s.confusionMatrix[1][1]} falls detected, ` +
      `${s.confusionMatrix[0][0]}/${s.confusionMatrix[0][0] + s.confusionMatrix[0][1]} ADLs right, sequence AUC ${s.auc?.toFixed(4) ?? "n/a"}, ` +
      `window AUC ${metrics.window.auc?.toFixed(4) ?? "n/a"}` +
      otherWindowSetPhrases(metrics).map((phrase) => ` (${phrase})`).join(""),
  );
  const d = metrics.detection;
  console.log(
    `alarms: median delay ${d.delayFrames.median ?? "n/a"} frames after the fall starts (max ${d.delayFrames.max ?? "n/a"}), ` +
      `${d.falseAlarms} false alarm(s) over ${d.adlHours.toFixed(3)} h of daily activities (refractory ${d.refractorySec} s)`,
  );
  console.log(`wrote ${out}/metrics.json, report.html, model, arrow/`);
  return 0;
}

if (require.main === module) runCommand(pipelineCommand(), process.argv.slice(2));
