// `fall-dp validate --model DIR --data FILE --chute N --cam M` (`npm run validate -- ...`): score a
// pipeline model on one MCFD video's per-frame features. Exits as run-main.ts says.
import * as path from "node:path";
import { UsageError } from "../pipeline/options";
import { StrictCommand } from "../pipeline/command-line";
import { checkFlags, FlagParser, FlagRule, intFlag, textFlag } from "./flags";
import { runCommand, withAction } from "./run-main";
import { checkOutputFile, filesAt } from "./output-file";
import { MCFD_CAMS, MCFD_CHUTES } from "../mcfd/annotations";
import type { Metrics } from "../evaluate/metrics";
import { writeJsonAtomic } from "../run/atomic";
import type { McfdValidation, McfdValidationOptions } from "../export/cross-dataset";

interface ValidateArgs extends McfdValidationOptions {
  out?: string;
}

const probability: FlagParser = (raw, flag) => {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < 0 || v > 1) throw new UsageError(`${flag} expects a number in [0, 1], got "${raw}"`);
  return v;
};

const RULES: FlagRule<keyof ValidateArgs>[] = [
  { flag: "--model", arg: "DIR", key: "modelDir", parse: textFlag, required: true, help: "model folder (model.json, weights.bin, distributed.json, preprocessing.json)" },
  { flag: "--data", arg: "FILE", key: "dataFile", parse: textFlag, required: true, help: "per-frame feature CSV of one video, URFD schema, no header" },
  { flag: "--chute", arg: "N", key: "chute", parse: intFlag(1, MCFD_CHUTES), required: true, help: `MCFD scenario, 1..${MCFD_CHUTES}` },
  { flag: "--cam", arg: "M", key: "cam", parse: intFlag(1, MCFD_CAMS), required: true, help: `MCFD camera, 1..${MCFD_CAMS}` },
  { flag: "--threshold", arg: "X", key: "threshold", parse: probability, help: "detection threshold in [0, 1] [default: preprocessing.json's, else 0.5]" },
  { flag: "--annotations", arg: "DIR", key: "annotationsDir", parse: textFlag, help: "folder of the MCFD annotation copies [default: ../shared/data/mcfd]" },
  { flag: "--out", arg: "FILE", key: "out", parse: textFlag, help: "also write the results as JSON (nothing is written without it)" },
];

/** `validate`: score a pipeline model on one Multiple Cameras Fall video. */
export function validateCommand(): StrictCommand {
  const command = new StrictCommand("validate")
    .summary("score a saved model on one Multiple Cameras Fall video")
    .description(
      "Cross-dataset validation: score a model saved by the pipeline (a run's model/ folder, with preprocessing.json next to distributed.json) " +
        "on one Multiple Cameras Fall video's per-frame features (URFD CSV schema), labelled from the reconciled MCFD annotations.",
    )
    .usage("--model DIR --data FILE --chute N --cam M [options]")
    .flags(RULES);
  return withAction(command, (c) => runValidate(checkFlags(c.given, RULES) as unknown as ValidateArgs));
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
    ...(r.model.secondWindow ? [`second window: ${r.model.secondWindow.members} models more on windows of ${r.model.secondWindow.T} frames; each window's score is the two detectors' aligned scores joined (${r.model.secondWindow.rule}, held ${r.model.secondWindow.hold} frames, the second passing at ${r.model.secondWindow.level}) as FallDetector joins a stream, against 0.5, each detector's own threshold`] : []),
    ...(r.model.startModels ? [`start models: ${r.model.startModels} of the ${r.model.members} (the folder's start group) score every full window with the others, as the detector does; a stream's first windows of fewer than ${r.model.T} frames, theirs alone, are not validated`] : []),
    `data: ${r.data.file}: ${r.data.frames} frames; ${r.data.note}`,
    `threshold: ${r.threshold} (${r.thresholdSource})`,
    `windows: ${r.windows.count} (${r.windows.fall} fall): ${metricsLine(r.evaluation.window)}`,
    `recording ${r.data.sequence} (${isFall ? "fall" : "no fall"}): max window probability ${max.toFixed(3)} -> ${flagged ? "fall detected" : "no fall detected"} (${flagged === isFall ? "right" : "wrong"})`,
  ];
}

async function runValidate(args: ValidateArgs): Promise<number> {
  if (args.out) checkOutputFile(args.out, "--out", [...filesAt(args.modelDir), ...filesAt(args.dataFile)]);
  // Loaded only now: --help and a bad command line are answered without TensorFlow.js.
  const { validateOnMcfd } = await import("../export/cross-dataset");
  const result = await validateOnMcfd(args);
  for (const line of report(result)) console.log(line);
  if (args.out) {
    writeJsonAtomic(path.resolve(args.out), result);
    console.log(`wrote ${args.out}`);
  }
  return 0;
}

if (require.main === module) runCommand(validateCommand(), process.argv.slice(2));
