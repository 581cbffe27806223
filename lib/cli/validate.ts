// `npm run validate -- --model DIR --data FILE --chute N --cam M`: score a pipeline model on one
// MCFD video's per-frame features. Exit 2 on a bad command line, 1 on a bad file; one line, no stack.
import { parseCommandLine } from "./run-main";
import * as path from "node:path";
import { UsageError } from "../pipeline/options";
import { FlagParser, intFlag, parseFlags, textFlag } from "./flags";
import { MCFD_CAMS, MCFD_CHUTES } from "../mcfd/annotations";
import type { Metrics } from "../evaluate/metrics";
import { writeJsonAtomic } from "../run/atomic";
import { McfdValidation, McfdValidationOptions, validateOnMcfd } from "../export/cross-dataset";

interface ValidateArgs extends McfdValidationOptions {
  out?: string;
}

const HELP = `Usage: npm run validate -- --model DIR --data FILE --chute N --cam M [options]
Cross-dataset validation: score a model saved by the pipeline (a run's model/ folder, with
preprocessing.json next to distributed.json) on one Multiple Cameras Fall video's per-frame
features (URFD CSV schema), labelled from the reconciled MCFD annotations.

  --model DIR        model folder (model.json, weights.bin, distributed.json, preprocessing.json)
  --data FILE        per-frame feature CSV of one video, URFD schema, no header
  --chute N          MCFD scenario, 1..${MCFD_CHUTES}
  --cam M            MCFD camera, 1..${MCFD_CAMS}
  --threshold X      detection threshold in [0, 1] [default: preprocessing.json's, else 0.5]
  --annotations DIR  folder of the MCFD annotation copies [default: ../shared/data/mcfd]
  --out FILE         also write the results as JSON (nothing is written without it)
  --help             show this help`;

const probability = (raw: string, flag: string): number => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`${flag} expects a number in [0, 1], got "${raw}"`);
  return v;
};

const FLAGS: Record<string, [keyof ValidateArgs, FlagParser]> = {
  "--model": ["modelDir", textFlag],
  "--data": ["dataFile", textFlag],
  "--chute": ["chute", intFlag(1, MCFD_CHUTES)],
  "--cam": ["cam", intFlag(1, MCFD_CAMS)],
  "--threshold": ["threshold", probability],
  "--annotations": ["annotationsDir", textFlag],
  "--out": ["out", textFlag],
};

export function parseValidateArgs(argv: readonly string[]): ValidateArgs | "help" {
  const got = parseFlags(argv, FLAGS);
  if (got === "help") return "help";
  const missing = ["--model", "--data", "--chute", "--cam"].filter((f) => !(FLAGS[f][0] in got));
  if (missing.length) throw new UsageError(`missing ${missing.join(", ")} (see --help)`);
  return got as unknown as ValidateArgs;
}

const f3 = (x: number | null): string => (x === null ? "n/a" : x.toFixed(3));

function metricsLine(m: Metrics): string {
  const [[tn, fp], [fn, tp]] = m.confusionMatrix;
  return `AUC ${f3(m.auc)}, accuracy ${f3(m.accuracy)}, recall ${f3(m.recall)}, specificity ${f3(m.specificity)}, precision ${f3(m.precision)}, F1 ${f3(m.f1)} (tp ${tp}, fn ${fn}, tn ${tn}, fp ${fp})`;
}

function report(r: McfdValidation): string[] {
  const seq = r.evaluation.sequence;
  const isFall = seq.support.positive > 0;
  const max = Math.max(...r.windows.probability);
  const flagged = max >= r.threshold;
  return [
    `model: ${r.model.dir} (${r.model.members > 1 ? `ensemble of ${r.model.members} ${r.model.kind} models` : r.model.kind}, T=${r.model.T}, stride ${r.model.stride}, F=${r.model.F}); backend ${r.backend}`,
    `data: ${r.data.file}: ${r.data.frames} frames; ${r.data.note}`,
    `threshold: ${r.threshold} (${r.thresholdSource})`,
    `windows: ${r.windows.count} (${r.windows.fall} fall): ${metricsLine(r.evaluation.window)}`,
    `recording ${r.data.sequence} (${isFall ? "fall" : "no fall"}): max window probability ${max.toFixed(3)} -> ${flagged ? "fall detected" : "no fall detected"} (${flagged === isFall ? "right" : "wrong"})`,
  ];
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine("validate", argv, parseValidateArgs, HELP);
  if ("exit" in parsed) return parsed.exit;
  const args = parsed.args;
  const result = await validateOnMcfd(args);
  for (const line of report(result)) console.log(line);
  if (args.out) {
    writeJsonAtomic(path.resolve(args.out), result);
    console.log(`wrote ${args.out}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`validate: ${(err instanceof Error ? err.message : String(err)).split("\n")[0]}`);
      if (process.env.FALL_DEBUG) console.error(err);
      process.exit(1);
    },
  );
}
