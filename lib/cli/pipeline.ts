// `npm run pipeline -- [options]`: exit 0 on success, 2 on a bad command line, 1 on any other
// failure, always with a one-line message and never a stack trace.
import { parsePipelineArgs, pipelineHelp, UsageError } from "./pipeline-options";
import { runPipeline } from "../pipeline/run-pipeline";
import { epochProgressPrinter } from "../pipeline/progress";

const progress = (fold: number, folds: number) => epochProgressPrinter((l) => console.log(l), folds > 1 ? `fold ${fold}/${folds} ` : "");

async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parsePipelineArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`pipeline: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (options === "help") {
    console.log(pipelineHelp());
    return 0;
  }
  const { out, metrics } = await runPipeline(options, { log: (l) => console.log(l), onProgress: progress });
  const s = metrics.sequence;
  console.log(
    `done: recordings ${s.confusionMatrix[1][1]}/${s.confusionMatrix[1][0] + s.confusionMatrix[1][1]} falls detected, ` +
      `${s.confusionMatrix[0][0]}/${s.confusionMatrix[0][0] + s.confusionMatrix[0][1]} ADLs right, sequence AUC ${s.auc?.toFixed(4) ?? "n/a"}, ` +
      `window AUC ${metrics.window.auc?.toFixed(4) ?? "n/a"}`,
  );
  console.log(`wrote ${out}/metrics.json, report.html, model, arrow/`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`pipeline: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
    if (process.env.FALL_DEBUG) console.error(err);
    process.exit(1);
  },
);
